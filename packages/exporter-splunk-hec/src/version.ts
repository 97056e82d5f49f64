/** This package's version, sent as `__splunk_app_version` (a test keeps it equal to package.json's). */
export const PACKAGE_VERSION = '0.1.0';
