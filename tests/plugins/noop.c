/* Test plugin: the smallest valid plugin (no drivers, transports or models),
 * so loading, deduplication and listing are tested without any real plugin. */
#include <iotflash/plugin.h>

IOTFLASH_PLUGIN_DEFINE("noop", "test: an empty plugin", NULL, NULL, NULL);
