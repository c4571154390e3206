# pam_isolate — build, install, test.
# Paths (override on the command line): PREFIX, DESTDIR, PAMDIR, LIBEXECDIR,
# SYSCONFDIR, SBINDIR, MANDIR.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
LIBEXECDIR  ?= $(PREFIX)/libexec
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/pam_isolate
# systemd-tmpfiles reads /usr/local/lib/tmpfiles.d too
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSCONFDIR  ?= /etc
MULTIARCH   := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null)
PAMDIR      ?= $(if $(MULTIARCH),/lib/$(MULTIARCH)/security,/lib/security)
RUNDIR      ?= /run/pam_isolate

HELPER_PATH := $(LIBEXECDIR)/pam_isolate/pam-isolate-helper
CONF_PATH   := $(SYSCONFDIR)/security/isolate.conf

CC      ?= gcc
B       := build
SAN     ?=
OPT     ?= -O2
PKGS    := libconfuse
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection
WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-unused-parameter
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=gnu11 $(WARN) $(HARDEN) $(SAN) \
           -Icommon -Iconfig -Ihelper \
           -DISO_VERSION='"$(VERSION)"' \
           -DISO_HELPER_PATH='"$(HELPER_PATH)"' \
           -DISO_CONF_PATH='"$(CONF_PATH)"' \
           -DISO_RUNDIR='"$(RUNDIR)"'
LDHARD  := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
CONFUSE_CFLAGS := $(shell pkg-config --cflags libconfuse 2>/dev/null)
CONFUSE_LIBS   := $(shell pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse)
CMOCKA_LIBS    := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
# sd-bus and sd-login for the systemd backend (helper/systemd.c): headers
# only. libsystemd is not linked: helper/sdbus_dl.c dlopens it when the
# backend is first used, so an exec of the helper does not load it and its
# dependencies (libgcrypt, liblzma, libzstd, liblz4: ~0.5 ms per exec).
# dlopen is in glibc's libc since 2.34; -ldl is for older ones.
SYSTEMD_CFLAGS := $(shell pkg-config --cflags libsystemd 2>/dev/null)
LDLIBS         += -lcap -ldl

COMMON_SRC := $(wildcard common/*.c)
CONFIG_SRC := $(wildcard config/*.c)
HLIB_SRC   := $(filter-out helper/main.c,$(wildcard helper/*.c))
MOD_SRC    := $(wildcard pam_module/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
HARN_SRC   := $(wildcard tests/harness/*.c)
CTL_SRC    := $(wildcard tools/*.c)

# Objects for the helper side (PIE) and for the module (PIC) are built apart.
obj_pie = $(patsubst %.c,$(B)/pie/%.o,$(1))
obj_pic = $(patsubst %.c,$(B)/pic/%.o,$(1))

LIB_OBJS := $(call obj_pie,$(COMMON_SRC) $(CONFIG_SRC) $(HLIB_SRC))
MOD_OBJS := $(call obj_pic,$(COMMON_SRC) $(MOD_SRC))
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
HARN_BINS := $(patsubst tests/harness/%.c,$(B)/tests/%,$(HARN_SRC))

PROGS := $(B)/pam_isolate.so $(B)/pam-isolate-helper
ifneq ($(wildcard tools/isolatectl.c),)
PROGS += $(B)/isolatectl
endif
# Man pages name installed paths: made from man/*.in with this build's.
MAN_PAGES := $(patsubst man/%.in,$(B)/man/%,$(wildcard man/*.in))

.PHONY: all deps install uninstall check check-unit check-root check-vm \
        lint format format-check demo bench bench-quick fuzz clean tests man-lint deb FORCE

all: $(PROGS) $(MAN_PAGES)

# Remade when a path variable changes (make LIBEXECDIR=... after make).
MAN_VARS := $(LIBEXECDIR) $(DOCDIR) $(SYSCONFDIR)
$(B)/man/.vars: FORCE
	@mkdir -p $(dir $@)
	@echo '$(MAN_VARS)' | cmp -s - $@ || echo '$(MAN_VARS)' >$@
FORCE:

$(B)/man/%: man/%.in $(B)/man/.vars
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@TMPFILESDIR@|$(TMPFILESDIR)|g' $< >$@

# `make V=1` shows whole command lines.
Q := $(if $(V),,@)

# The helper's, the config's and the state dir's paths are compiled in:
# objects are remade when one changes (`make` then `make install
# PREFIX=/opt/x` must not install a module that runs the first helper).
PATH_VARS := $(HELPER_PATH) $(CONF_PATH) $(RUNDIR)
$(B)/.paths: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PATH_VARS)' | cmp -s - $@ || echo '$(PATH_VARS)' >$@

$(B)/pie/%.o: %.c $(B)/.paths
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(CONFUSE_CFLAGS) $(SYSTEMD_CFLAGS) -fPIE -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c $(B)/.paths
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(B)/libisolate.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(B)/pam-isolate-helper: $(call obj_pie,helper/main.c) $(B)/libisolate.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -pie $(LDHARD) $^ -o $@ $(CONFUSE_LIBS) $(LDLIBS)

$(B)/isolatectl: $(call obj_pie,$(CTL_SRC)) $(B)/libisolate.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -pie $(LDHARD) $^ -o $@ $(CONFUSE_LIBS) $(LDLIBS)

$(B)/pam_isolate.so: $(MOD_OBJS) pam_module/pam_isolate.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -shared -fPIC $(LDHARD) -Wl,--version-script=pam_module/pam_isolate.map \
	    $(MOD_OBJS) -o $@ -lpam

$(B)/tests/%: tests/unit/%.c $(B)/libisolate.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(CONFUSE_CFLAGS) $(SYSTEMD_CFLAGS) -fPIE -pie $< $(B)/libisolate.a -o $@ $(CMOCKA_LIBS) $(CONFUSE_LIBS) $(LDLIBS)

# The cgroup engine's tests share a helper and the fake tree's I/O table.
CG_TEST_BINS := $(B)/tests/test_cgroup $(B)/tests/test_cgroup_real
$(CG_TEST_BINS): $(B)/tests/%: tests/unit/%.c tests/unit/cg_test_util.c tests/unit/cg_test_util.h $(B)/libisolate.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(CONFUSE_CFLAGS) $(SYSTEMD_CFLAGS) -fPIE -pie $< tests/unit/cg_test_util.c $(B)/libisolate.a -o $@ $(CMOCKA_LIBS) $(CONFUSE_LIBS) $(LDLIBS)

$(B)/tests/%: tests/harness/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -fPIE -pie $< -o $@ -lpam -lpthread

# The security suite's attack client and LD_PRELOAD probe.
$(B)/tests/isoattack: tests/security/isoattack.c common/proto.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -Icommon \
	    -DISO_HELPER_PATH='"$(HELPER_PATH)"' $^ -o $@
$(B)/tests/evil_preload.so: tests/security/evil_preload.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -shared -fPIC $< -o $@

tests: all $(UNIT_BINS) $(HARN_BINS) $(B)/tests/isoattack $(B)/tests/evil_preload.so

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- set-up of a fresh Debian machine (root) ----
deps:
	@sh tools/install-deps.sh

# ---- install ----
install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR)/pam_isolate $(DESTDIR)$(SYSCONFDIR)/security
	install -m 0644 $(B)/pam_isolate.so $(DESTDIR)$(PAMDIR)/pam_isolate.so
	install -m 4755 $(B)/pam-isolate-helper $(DESTDIR)$(HELPER_PATH)
	@if [ -e $(DESTDIR)$(CONF_PATH) ]; then \
	    echo "keeping existing $(DESTDIR)$(CONF_PATH)"; \
	else install -m 0644 config/isolate.conf $(DESTDIR)$(CONF_PATH); fi
	@if [ -e $(B)/isolatectl ]; then install -d $(DESTDIR)$(SBINDIR) && \
	    install -m 0755 $(B)/isolatectl $(DESTDIR)$(SBINDIR)/isolatectl; fi
	@for m in $(MAN_PAGES); do [ -e "$$m" ] || continue; s=$${m##*.}; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	@if [ -d config/examples ]; then install -d $(DESTDIR)$(DOCDIR)/examples && \
	    install -m 0644 config/examples/*.conf $(DESTDIR)$(DOCDIR)/examples/ 2>/dev/null || true; fi
	install -d $(DESTDIR)$(TMPFILESDIR)
	install -m 0644 config/pam_isolate.tmpfiles $(DESTDIR)$(TMPFILESDIR)/pam_isolate.conf

# The config is the admin's: uninstall leaves it unless it is still the
# example we installed.
uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_isolate.so $(DESTDIR)$(HELPER_PATH) $(DESTDIR)$(SBINDIR)/isolatectl
	rm -f $(DESTDIR)$(TMPFILESDIR)/pam_isolate.conf
	-rmdir $(DESTDIR)$(LIBEXECDIR)/pam_isolate 2>/dev/null
	@for m in $(MAN_PAGES); do [ -e "$$m" ] || continue; s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(DOCDIR)
	@if [ -e $(DESTDIR)$(CONF_PATH) ] && cmp -s config/isolate.conf $(DESTDIR)$(CONF_PATH); then \
	    rm -f $(DESTDIR)$(CONF_PATH); else [ -e $(DESTDIR)$(CONF_PATH) ] && \
	    echo "keeping $(DESTDIR)$(CONF_PATH) (edited)" || true; fi

# ---- tests ----
check: deps
	$(MAKE) tests
	sh tests/run-all.sh

check-unit: tests
	sh tests/run-unit.sh

check-root: tests
	sh tests/run-root.sh

lint:
	sh tools/lint.sh

man-lint: $(MAN_PAGES)
	sh tests/run-man-lint.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

demo: deps
	$(MAKE) all
	sh tools/demo.sh

# The bench builds its own copy of the product under a private prefix.
bench: deps
	sh bench/run

bench-quick: deps
	BENCH_QUICK=1 sh bench/run

fuzz:
	sh tests/fuzz/run.sh

# ---- Debian package (build-deps: make deps) ----
# Built in a copy of the tracked files (build/deb/src), so dpkg-buildpackage
# writes nothing into the work tree or beside the repo; the .deb, .changes
# and .buildinfo land in build/deb/. The copy goes afterwards (it holds a
# setuid build of the helper).
deb:
	rm -rf $(B)/deb && mkdir -p $(B)/deb/src
	git ls-files -z | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(B)/deb/src
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b
	rm -rf $(B)/deb/src
	@ls -1 $(B)/deb/*.deb

clean:
	rm -rf $(B)
