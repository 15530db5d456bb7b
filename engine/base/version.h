/* The tool's version, as `rhizome --version` and run manifests report it. */
#ifndef RHIZOME_VERSION_H
#define RHIZOME_VERSION_H
#define RHIZOME_VERSION "0.1.0"
#endif
