# The release image: the static (musl) ksef-audit binary of a GitHub release on a distroless base
# (no shell, no package manager), running as the unprivileged user nonroot (65532). Nothing is
# compiled here. The build context must hold the released binaries as
#   dist/linux-amd64/ksef-audit   (from ksef-audit-x86_64-unknown-linux-musl.tar.gz)
#   dist/linux-arm64/ksef-audit   (from ksef-audit-aarch64-unknown-linux-musl.tar.gz)
# which the release workflow (.github/workflows/release.yml) downloads from the published release
# and checks against its SHA256SUMS. To do the same by hand, and to build from source instead
# (Dockerfile.source), see docs/install.md, "Container image".
#
#   docker build -t ksef-audit .
#   docker run --rm --read-only -v "$PWD:/src:ro" ksef-audit leaks --git /src
#
# The root filesystem can be read-only: ksef-audit writes only where -o/--output-dir point.
ARG BASE=gcr.io/distroless/static:nonroot
FROM ${BASE}
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/ksef-audit /usr/local/bin/ksef-audit
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/ksef-audit"]
CMD ["--help"]
