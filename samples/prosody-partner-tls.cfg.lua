-- A partner Prosody that requires TLS and certificate authentication (SASL EXTERNAL) with an
-- edgeproxy edge (tls = "required", sasl = "required", dialback = false in edgekit.toml).
-- The edge presents the certificate assigned with `certtool assign`; it must be valid for the
-- edge's XMPP domain (corp.example) and chain to a root in cafile.
s2s_require_encryption = true
s2s_secure_auth = true
ssl = {
  certificate = "/etc/prosody/certs/fabrikam.example.crt";
  key = "/etc/prosody/certs/fabrikam.example.key";
  cafile = "/etc/ssl/certs/ca-certificates.crt";
}
modules_disabled = { "dialback" }
VirtualHost "fabrikam.example"
