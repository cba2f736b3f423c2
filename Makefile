# make install: the four commands (release build, the Swift runtime linked in, stripped), upload-images and its
# parts, man pages and bash, zsh and fish completions, under PREFIX. make deb: the same as a Debian package.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
COMMANDS = img-scan spaces-exists img-thumb spaces-put spaces-ls spaces-get upload-review upload-run
VERSION = $(shell sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/Common/Toolkit.swift)
DEB = spaces-image-tools_$(VERSION)_$(shell dpkg --print-architecture).deb

# The toolchain at /opt/swift, when it is there and not on PATH already.
export PATH := $(if $(wildcard /opt/swift/usr/bin/swift),/opt/swift/usr/bin:)$(PATH)
# --static-swift-stdlib: the commands need only glibc, libcurl and libvips (and their libraries) at run time.
# A build folder of its own: switching .build/release (scripts/demo, bench/) between the two kinds of linking
# would recompile every Swift module each time.
RELEASE = swift build -c release --static-swift-stdlib --scratch-path .build/static
BIN = .build/static/release
# Man pages and completions, made from the built commands' own help; the pages dated by the last commit.
GENERATED = .build/generated
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

.PHONY: all build generated test setup install deb clean demo

all: build

setup:
	scripts/setup test

# generate-manual is argument-parser's manual generator, the tool behind its generate-manual plugin: run here
# on the static build, where the plugin would build every command again in a configuration of its own.
build:
	$(RELEASE)
	$(RELEASE) --product generate-manual

test:
	scripts/test

generated: build
	rm -rf $(GENERATED) && mkdir -p $(GENERATED)/man $(GENERATED)/completions
	for c in $(COMMANDS); do \
	  $(BIN)/$$c --generate-completion-script bash >$(GENERATED)/completions/$$c.bash && \
	  $(BIN)/$$c --generate-completion-script zsh >$(GENERATED)/completions/_$$c && \
	  $(BIN)/$$c --generate-completion-script fish >$(GENERATED)/completions/$$c.fish && \
	  DUMP_HELP_OF=$(BIN)/$$c $(BIN)/generate-manual packaging/dump-help --output-directory $(GENERATED)/man \
	    --date $$(date -u -d @$(SOURCE_DATE_EPOCH) +%F) || exit 1; \
	done
	# upload-images' command line is upload-run's (UploadImagesCommand): its completions come from there too.
	UPLOAD_IMAGES_BIN=$(BIN) scripts/upload-images --generate-completion-script bash >$(GENERATED)/completions/upload-images.bash
	UPLOAD_IMAGES_BIN=$(BIN) scripts/upload-images --generate-completion-script zsh >$(GENERATED)/completions/_upload-images
	UPLOAD_IMAGES_BIN=$(BIN) scripts/upload-images --generate-completion-script fish >$(GENERATED)/completions/upload-images.fish
	@command -v help2man >/dev/null || { echo "make: help2man is missing (scripts/setup installs it)" >&2; exit 1; }
	UPLOAD_IMAGES_BIN=$(BIN) help2man --no-info --no-discard-stderr --section 1 --include packaging/upload-images.h2m \
	  --output $(GENERATED)/man/upload-images.1 \
	  --name "upload a folder of images, originals and thumbnails, to DigitalOcean Spaces" scripts/upload-images

install: build generated
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/lib/upload-images $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	for c in $(COMMANDS); do install -m 0755 -s $(BIN)/$$c $(DESTDIR)$(BINDIR)/; done
	install -m 0755 scripts/upload-images $(DESTDIR)$(BINDIR)/upload-images
	install -m 0644 scripts/upload-images.d/*.bash $(DESTDIR)$(PREFIX)/lib/upload-images/
	echo $(VERSION) >$(DESTDIR)$(PREFIX)/lib/upload-images/VERSION
	install -m 0644 $(GENERATED)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	for c in $(COMMANDS) upload-images; do \
	  install -m 0644 $(GENERATED)/completions/$$c.bash $(DESTDIR)$(BASHCOMPDIR)/$$c && \
	  install -m 0644 $(GENERATED)/completions/_$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c && \
	  install -m 0644 $(GENERATED)/completions/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish || exit 1; \
	done

# Debian's places: /usr, and zsh's completions for packages in vendor-completions.
deb:
	rm -rf .build/deb
	$(MAKE) install DESTDIR=$(CURDIR)/.build/deb PREFIX=/usr ZSHCOMPDIR=/usr/share/zsh/vendor-completions
	packaging/build-deb .build/deb $(DEB)

clean:
	rm -rf .build

demo:
	scripts/demo
