/**
 * Extra webpack config merged by `jupyter labextension build` (package.json
 * jupyterlab.webpackConfig). elkjs' bundled layouter (1.5 MB, GWT output that is
 * already minified) gets its own chunk; webpack neither parses nor re-minifies it,
 * which saves most of the production build time.
 */
const TerserPlugin = require('terser-webpack-plugin');

module.exports = {
  module: {
    noParse: /elkjs[\\/]lib[\\/]elk\.bundled\.js$/
  },
  optimization: {
    splitChunks: {
      cacheGroups: {
        elkjs: {
          test: /[\\/]node_modules[\\/]elkjs[\\/]/,
          name: 'elkjs',
          chunks: 'all',
          enforce: true
        }
      }
    },
    minimizer: [new TerserPlugin({ exclude: /^elkjs\./ })]
  }
};
