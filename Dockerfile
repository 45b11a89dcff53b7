# syntax=docker/dockerfile:1
FROM golang:1.25-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/offboard ./cmd/offboard

# distroless static: no shell, no package manager, runs as nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/offboard /offboard
ENV OFFBOARD_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
# health probes the address serve uses (OFFBOARD_ADMIN_ADDR, else OFFBOARD_ADDR).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/offboard", "health"]
ENTRYPOINT ["/offboard"]
CMD ["serve"]
