"""orgtf's tests, laid out like the package; a package so that every module name is unique."""
