-- Prosody as the INTERNAL server behind edgeproxy (docs/edgeproxy.md).
-- It serves the local users and reaches partners only through the edge: no s2s of its own,
-- one Component per partner domain (and per additional domain) in edgekit.toml.

-- Never federate directly: the edge is the only way out.
modules_disabled = { "s2s", "dialback" }

-- The component listener edgeproxy connects to ([internal] host/port in edgekit.toml).
component_ports = { 5347 }
component_interfaces = { "10.0.0.5" }   -- the address the edge reaches; not the internet

VirtualHost "corp.example"

-- One Component per [[partner]] domain; the secret is internal.secret_file's content.
Component "gmail.com"
  component_secret = "change-me-same-as-internal.secret_file"

Component "fabrikam.example"
  component_secret = "change-me-same-as-internal.secret_file"
