# Herald: one static binary (pure-Go SQLite, no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/herald ./cmd/herald

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/herald /herald
ENV HERALD_ADDR=:8080 HERALD_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/herald"]
CMD ["serve"]
