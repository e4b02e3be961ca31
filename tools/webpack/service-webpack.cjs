const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('node:path');

/**
 * The webpack config of a Keycard service (apps/<name>): a Node bundle of src/main.ts plus
 * src/migrate.ts, readable (no minifying or hashing) with source maps, and a package.json of its
 * production dependencies, in dist/apps/<name>. Each app's webpack.config.js is one call to it.
 */
function serviceWebpackConfig(appDir) {
  return {
    output: { path: join(appDir, '../../dist/apps', basename(appDir)) },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        additionalEntryPoints: ['./src/migrate.ts'],
        tsConfig: './tsconfig.app.json',
        assets: ['./src/assets'],
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
      }),
    ],
  };
}

module.exports = { serviceWebpackConfig };
