module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'resource-service',
  rootDir: __dirname,
};
