PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
COMMANDS = img-scan spaces-exists img-thumb spaces-put

.PHONY: all build test setup install clean demo

all: build

setup:
	scripts/setup

build:
	swift build -c release

test:
	scripts/test

install: build
	install -d $(DESTDIR)$(BINDIR)
	for c in $(COMMANDS); do install -m 0755 "$$(swift build -c release --show-bin-path)/$$c" $(DESTDIR)$(BINDIR)/; done
	install -m 0755 scripts/upload-images $(DESTDIR)$(BINDIR)/upload-images
	install -d $(DESTDIR)$(PREFIX)/lib/upload-images
	install -m 0644 scripts/upload-images.d/*.bash $(DESTDIR)$(PREFIX)/lib/upload-images/

clean:
	rm -rf .build

demo:
	scripts/demo
