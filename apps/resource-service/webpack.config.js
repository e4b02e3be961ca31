const { serviceWebpackConfig } = require('../../tools/webpack/service-webpack.cjs');

module.exports = serviceWebpackConfig(__dirname);
