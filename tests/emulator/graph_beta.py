"""Microsoft Graph beta under /graph/beta: only the sensitivity labels that
InformationProtectionPolicy.Read.All (the permission Zscaler asks for) unlocks.

Tokens, errors and paging are Graph v1.0's; beta has no request schema here.
"""

from werkzeug.routing import Rule

from . import labels
from .graph import GraphService

# Application and delegated permissions that unlock the beta label list.
BETA_LABEL_PERMISSIONS = ("InformationProtectionPolicy.Read.All", "InformationProtectionPolicy.Read")
LABELS_PATH = "/security/informationProtection/sensitivityLabels"


class GraphBetaService(GraphService):
    prefix = "/graph/beta"

    def _rules(self):
        return [
            Rule(LABELS_PATH, endpoint=self.list_beta_labels, methods=["GET"]),
            Rule(f"/users/<user>{LABELS_PATH}", endpoint=self.list_user_beta_labels, methods=["GET"]),
        ]

    def _check_schema(self, request, endpoint):
        pass

    def list_beta_labels(self, call):
        self.require_label_api(call, "beta", "informationProtection")
        call.require_any(BETA_LABEL_PERMISSIONS)
        return self._collection(
            call, labels.beta_view(call.directory.tenant), "security/informationProtection/sensitivityLabels"
        )

    def list_user_beta_labels(self, call, user):
        self.require_label_api(call, "beta", "informationProtection")
        call.require_any(BETA_LABEL_PERMISSIONS)
        found = self._user(call, user)
        return self._collection(
            call,
            labels.beta_view(call.directory.tenant),
            f"users('{found['id']}')/security/informationProtection/sensitivityLabels",
        )
