# offboard's image: the static binary on a runtime with no shell, as a
# non-root user. The base images are build arguments: by default the public
# Go and distroless images; a machine that cannot pull (this project's CI)
# names images it made itself (.ci/docker-bases). Every RUN is in exec form,
# so the build stage needs the Go toolchain and nothing else.
ARG BUILD_IMAGE=golang:1.25-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN ["go", "mod", "download"]
COPY . .
RUN ["go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", "/out/offboard", "./cmd/offboard"]

# distroless static: CA certificates, /tmp, a nonroot user (65532), no shell.
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/offboard /offboard
# Listen on every interface inside the container: publish the port to reach
# it. Set OFFBOARD_ADMIN_TOKEN when that port is reachable from elsewhere.
ENV OFFBOARD_ADDR=0.0.0.0:8080
EXPOSE 8080
# By number, so any runtime image works without a passwd entry.
USER 65532:65532
# health probes the address serve uses (OFFBOARD_ADMIN_ADDR, else
# OFFBOARD_ADDR); the health endpoint needs no admin token.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/offboard", "health"]
# serve stops on SIGTERM, answering what is in flight first.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/offboard"]
CMD ["serve"]
