"""The log lines the alarms count (pure Python, so the tests can check the code writes them).

Our logs are JSON (functions/logs.py); CloudWatch metric filters match their fields:
- tokens.py logs TOKEN_REFRESH_FAILED whenever spending the refresh token gave no new pair (refused
  grant, no answer, 5xx); a refused grant needs an OA admin's consent again (docs/deploy.md);
- zalo_client.py logs ZALO_CALL_FAILED with `kind` and `zalo_error` for every failed call; the quota
  alarm counts the codes that mean "no more messages today" (zalo_errors.py): ZBS -115 (balance),
  -144 (OA daily limit), -147 (template daily limit) and OA -211 (feature quota). Rate limits (-32)
  and night-time holds (-133, -234) are expected and not alarmed.
"""

TOKEN_REFRESH_FAILED = "OA token refresh failed"
ZALO_CALL_FAILED = "zalo call failed"
QUOTA_EXHAUSTED_CODES = (-115, -144, -147, -211)
