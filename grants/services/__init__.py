"""The rules of the application, one package per domain (ARCHITECTURE.md says where each
rule lives). Services are plain functions that take the actor first, enforce every rule, write
audit and ledger rows and `flush()`, but never commit: the view (or the CLI) commits.

    intake/       calls, the returnee registry, dossiers and their workflow, members, screening
    committees/   scoring grids, sessions and declarations, score sheets, selection, minutes
    money/        the transaction core, envelopes, agreements, payments, batches, the register
    followup/     visits and their reports, the questionnaire, monitoring, referrals, field tools
    notifications/  messages to returnees: templates, segments, the outbox, gateways, sending
    privacy/      a person's file on request, erasure on request, the retention rules
    imports/      partner lists brought into the registry in bulk, with the intake rules

Shared by all: accounts (users and logins), audit (the audit log), errors (DomainError and its
kinds), references (AP-2026-0001 and the like) and amounts (parsing whole F CFA). A domain package
may import the shared modules and the domains listed above it, never one below it: what a later
domain must do when an earlier one acts goes through the events of grants/events.py."""
