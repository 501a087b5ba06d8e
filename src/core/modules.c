// SPDX-License-Identifier: MIT
// Keeps the module list from the boot information, with each module's name copied out.
#include "core/modules.h"
#include "core/console.h"
#include "core/multiboot2.h"
#include "core/string.h"

static struct module modules[MB2_MAX_MODULES];
static size_t nmodules;

// Records every module; its name is the first word of the string GRUB passed.
void modules_init(const struct mb2_info *info)
{
    for (size_t i = 0; i < info->module_count; i++) {
        struct module *m = &modules[nmodules];
        const char *s = info->modules[i].name;
        size_t n = 0;
        while (s[n] && s[n] != ' ' && n < sizeof m->name - 1) {
            m->name[n] = s[n];
            n++;
        }
        m->name[n] = 0;
        m->phys = info->modules[i].start;
        m->size = info->modules[i].end - info->modules[i].start;
        kprintf("[boot] module '%s' at %016llx, %llu bytes\n", m->name, (unsigned long long)m->phys,
                (unsigned long long)m->size);
        nmodules++;
    }
}

// Finds a module by name, or NULL.
const struct module *module_find(const char *name)
{
    for (size_t i = 0; i < nmodules; i++)
        if (strcmp(modules[i].name, name) == 0)
            return &modules[i];
    return NULL;
}
