# Build stage: the same toolchain the project pins.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY locales ./locales
COPY assets ./assets
# Cargo.toml names the benchmarks, so their sources must be present to parse it.
COPY benches ./benches
RUN cargo build --release --locked --bin campaign-bot

# Runtime stage: a small Debian with CA certificates for api.telegram.org.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /data campaign
COPY --from=build /src/target/release/campaign-bot /usr/local/bin/campaign-bot
USER campaign
WORKDIR /data
ENV DATABASE_URL=sqlite:///data/campaign-bot.db PORT=8080
EXPOSE 8080
ENTRYPOINT ["campaign-bot"]
CMD ["run"]
