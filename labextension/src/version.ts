/**
 * The widget module name and version. They must equal the Python widget's
 * `_model_module`/`_view_module` and `_model_module_version`/`_view_module_version`
 * (a test checks they equal package.json's name and version).
 */
export const MODULE_NAME = '@vizflow/jupyterlab';
export const MODULE_VERSION = '0.1.0';
