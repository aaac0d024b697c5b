"""exporter-toolkit's web configuration file (`--web.config.file`): TLS, client certificates, basic
auth, response headers and a rate limit, read from the same YAML file node_exporter reads.

The modules follow exporter-toolkit's web package:
- `config`: reading and validating the file (its tls_config.go `Config` and `getConfig`);
- `tls`: the SSLContext from tls_server_config (`ConfigToTLSConfig`), and the check of open TLS
  connections against the settings in force;
- `auth`: what happens per request (handler.go, users.go, cache.go): rate limit, basic auth with
  bcrypt and a cache of successes, response headers;
- `running`: the configuration in force, its middleware and its reload (`load_web_config`).

The file is validated completely at start: a `ConfigError` names the offending key, and the server
never starts without the protection the file asks for. docs/webconfig.md describes the format and
where Python's ssl module differs from Go's crypto/tls.
"""
