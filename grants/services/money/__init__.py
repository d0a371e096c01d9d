"""Money, and the only code that moves it. Every movement goes through the transaction core
(core: one transaction, idempotency key, guarded single-statement UPDATEs, balanced ledger legs);
envelopes (appropriation, closing), agreements (drafts, signatures that commit the envelope,
cancellations), payments (order, payment, reversal, tranches made due), batches (mobile money);
register and ledger_check only read the ledger."""
