# Herald: one static binary (pure-Go SQLite, no cgo) with the web UI embedded.

# The web UI, built with Node.js; a release image never ships the placeholder page.
FROM node:20-bookworm AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build && test -f dist/app/index.html

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/frontend/dist/app ./frontend/dist/app
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/herald ./cmd/herald

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/herald /herald
ENV HERALD_ADDR=:8080 HERALD_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/herald"]
CMD ["serve"]
