-- A partner Prosody that federates with an edgeproxy edge by plain TCP + Server Dialback
-- (the Lync/Google Talk case: tls = "not-supported", sasl = "not-supported", dialback = true).
s2s_require_encryption = false
s2s_secure_auth = false          -- the edge is not authenticated by certificate on this path
modules_enabled = { "dialback" }
-- Do not load "tls": this partner speaks plaintext only.
VirtualHost "gmail.com"
