# Herald's developer commands. `make run` and `make test` are the two commands in the README.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run build test test-go lint bench bench-networks ui clean

## run: build the UI and Herald, and start it on http://localhost:8080 with SQLite in ./data and the demo workspace
run: ui build
	./bin/herald serve --demo

## build: the herald binary in ./bin
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/herald ./cmd/herald

## test: every test, on SQLite and (when a MySQL/MariaDB server is reachable) on MySQL
test:
	./.ci/test

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1)
	$(GO) vet ./...
	$(GO) mod tidy -diff

## bench: the calendar benchmark recorded in BENCHMARKS.md (SQLite; see the file for MySQL)
bench: build
	./bin/herald bench calendar

## bench-networks: every network's publish path through the scheduler, 200 posts each (SQLite, and MySQL with TEST_MYSQL_DSN; see BENCHMARKS.md)
bench-networks:
	$(GO) test ./scheduler -run '^$$' -bench PublishEveryNetwork -benchtime 200x -timeout 30m

## ui: build the web UI into frontend/dist/app (needs Node.js 20.19+; without it, says so and keeps the placeholder)
ui:
	@./frontend/scripts/build.sh

clean:
	rm -rf bin
