# A small image with the static ksef-audit binary, running as a non-root user.
#   docker build -t ksef-audit .
#   docker run --rm -v "$PWD:/src:ro" ksef-audit leaks /src
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
RUN cargo build --release --locked && strip target/release/ksef-audit

FROM alpine:3
RUN apk add --no-cache ca-certificates git \
    && addgroup -S ksef && adduser -S -G ksef -h /home/ksef ksef
COPY --from=build /build/target/release/ksef-audit /usr/local/bin/ksef-audit
USER ksef
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/ksef-audit"]
CMD ["--help"]
