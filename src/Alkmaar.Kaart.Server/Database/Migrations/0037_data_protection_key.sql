-- ASP.NET Core Data Protection keys in the database (issue 32): every server process signs and reads cookies,
-- antiforgery tokens and confirmation codes with the same keys, so any server serves any request. The key XML is
-- encrypted at rest with the configured certificate (DataProtection:CertificatePath); rows are only ever added.
CREATE TABLE data_protection_key (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text        NOT NULL,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
