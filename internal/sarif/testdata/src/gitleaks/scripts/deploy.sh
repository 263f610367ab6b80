#!/bin/sh
# Fake credential, twice in one file (tests the occurrence ordinal).
export SERVICE_SECRET="Zr7Qp2Wm9Kx4Tb6Nv1Lc8Hd3"
curl -H "X-Secret: $SERVICE_SECRET" https://example.invalid/
export BACKUP_SECRET="Zr7Qp2Wm9Kx4Tb6Nv1Lc8Hd3"
