# Stand-in for the official nginx image in Tests/container/test-stack.sh (no registry here): Debian's nginx,
# configured only by the nginx.conf the test mounts, in the foreground as PID 1.
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* \
 && ln -sf /dev/stderr /var/log/nginx/error.log
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
