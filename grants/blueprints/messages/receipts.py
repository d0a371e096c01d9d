"""The operator's delivery receipts: a machine posts JSON here, without login, session cookie or
CSRF token (like /health). It proves itself by the secret in the address we gave it
(SMS_RECEIPT_SECRET), compared in constant time; without it the address does not exist (404)."""

import hmac

from flask import abort, current_app, jsonify, request

from grants.blueprints.messages import bp
from grants.extensions import csrf, db, limiter
from grants.services.notifications import receipts


@bp.route("/accuses-reception/<secret>", methods=["POST"])
@limiter.exempt
@csrf.exempt
def delivery_receipt(secret: str):
    expected = current_app.config["SMS_RECEIPT_SECRET"] or ""
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        abort(404)
    receipt = receipts.parse(request.get_json(silent=True))
    if receipt is None:
        return jsonify({"error": "not a delivery receipt"}), 400
    outcome = receipts.record(receipt)
    db.session.commit()
    # 200 even for a message we do not know: the operator has nothing to send again.
    return jsonify({"result": outcome.value})
