module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'keycard-plugin',
  rootDir: __dirname,
  // The generator's templates are not tests, whatever their names say.
  testPathIgnorePatterns: ['/node_modules/', '/files/'],
};
