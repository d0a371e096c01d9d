"""Messages to returnees (issue 14): `templates` (texts per event and language, placeholders),
`segments` (SMS length and cost), `outbox` (queue, cancel, call list, monthly counts),
`receivers` (the domain events that become messages), `gateways` (the plug-ins that send) and
`sending` (the job's work: send what is due, retry with back-off)."""
