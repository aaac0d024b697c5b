# pyexporter container image: a node_exporter-compatible exporter for a
# hostNetwork DaemonSet (see manifests/ and docs/deploy.md).
#
#   podman build -t pyexporter .                    # or: docker build
#   podman build --build-arg BASE_IMAGE=localhost/my-python:3.11 -t pyexporter .
#   podman build --build-arg REVISION="$(git rev-parse HEAD)" \
#                --build-arg SOURCE="$(git remote get-url origin)" -t pyexporter .
#
# REVISION (the git commit) goes into the OCI labels, `pyexporter --version` and
# node_exporter_build_info; the build context holds no .git, so it is passed in.
# VERSION must be the package's version (pyexporter/__init__.py): the build
# fails when they differ, so the label cannot lie. docs/deploy.md shows the
# multi-architecture build.
#
# BASE_IMAGE is any image with python3 (>= 3.10) and its venv module at the
# same path in both stages; the official python:*-slim images qualify, and so
# does a Debian minbase with python3-minimal and python3-venv.
ARG BASE_IMAGE=docker.io/library/python:3.12-slim-bookworm
ARG VERSION=0.1.0
ARG REVISION=""
# Where the source lives (the repository URL this image is built from).
ARG SOURCE=""

FROM ${BASE_IMAGE} AS build
# pip's own cache is useless in a throwaway stage; a version check would only
# add a network round trip.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1
# Optional CA bundle for pip, for builds behind a TLS-inspecting proxy: mount
# the file into the build and name it, e.g. `podman build --volume
# /etc/ssl/certs/ca-certificates.crt:/run/build-ca.crt:ro --build-arg
# PIP_CERT=/run/build-ca.crt`. Build-stage arguments never reach the image.
ARG PIP_CERT
ARG VERSION
ARG REVISION
WORKDIR /src
# The venv keeps the exporter and its dependencies apart from the base
# image's Python and is copied whole into the runtime stage.
RUN python3 -m venv /opt/pyexporter
COPY pyproject.toml setup.py README.md ./
COPY pyexporter ./pyexporter
COPY collectors ./collectors
# setup.py records REVISION in the installed package. Bytecode is compiled
# here, at build time, because nothing may be written at run time (read-only
# root filesystem).
RUN PYEXPORTER_REVISION="${REVISION}" /opt/pyexporter/bin/python -m pip install --no-cache-dir --prefer-binary . \
    && /opt/pyexporter/bin/python -m compileall -q /opt/pyexporter/lib \
    && installed="$(/opt/pyexporter/bin/python -c 'import pyexporter; print(pyexporter.__version__)')" \
    && if [ "${installed}" != "${VERSION}" ]; then \
         echo "VERSION=${VERSION} but the package is ${installed}" >&2; exit 1; \
       fi

FROM ${BASE_IMAGE}
ARG VERSION
ARG REVISION
ARG SOURCE
LABEL org.opencontainers.image.title="pyexporter" \
      org.opencontainers.image.description="A drop-in Python replacement for Prometheus node_exporter 1.12.1 on Linux" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV PATH=/opt/pyexporter/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/pyexporter /opt/pyexporter
# 65534 is "nobody" in Debian-based images; numeric so that Kubernetes'
# runAsNonRoot can verify it without reading /etc/passwd.
USER 65534:65534
EXPOSE 20000
ENTRYPOINT ["/opt/pyexporter/bin/pyexporter"]
