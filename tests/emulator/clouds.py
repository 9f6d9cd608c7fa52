"""Microsoft's national clouds as the emulator tells them apart: each tenant lives in one.

A tenant's cloud decides the token audiences its Graph and ARM accept (a
token's `scope` names the cloud's own hosts, as Microsoft's national cloud
pages say) and which Graph sensitivity label APIs exist, from the availability
tables of Microsoft's API pages: the beta
`/security/informationProtection/sensitivityLabels` in the global cloud only,
v1.0 `dataSecurityAndGovernance` in the global and US Government (L4, L5)
clouds, neither in China.
"""

from .catalog import ARM_APP_ID, GRAPH_APP_ID
from .errors import ServiceError

CLOUDS = {
    "public": {
        "graph": ("https://graph.microsoft.com",),
        "arm": ("https://management.azure.com", "https://management.core.windows.net"),
        "label_apis": ("beta", "v1.0"),
    },
    "usgov": {
        "graph": ("https://graph.microsoft.us",),
        "arm": ("https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"),
        "label_apis": ("v1.0",),
    },
    "usgov_dod": {
        "graph": ("https://dod-graph.microsoft.us",),
        "arm": ("https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"),
        "label_apis": ("v1.0",),
    },
    "china": {
        "graph": ("https://microsoftgraph.chinacloudapi.cn",),
        "arm": ("https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn"),
        "label_apis": (),
    },
}
SERVICE_APP_IDS = {"graph": GRAPH_APP_ID, "arm": ARM_APP_ID}


def check_cloud(name):
    if name not in CLOUDS:
        raise ServiceError(400, "BadRequest", f"Unknown cloud '{name}'; one of {', '.join(sorted(CLOUDS))}.")
    return name


def _host(uri):
    return uri.rstrip("/").lower()


def audiences(cloud, service):
    """The `aud` values the service accepts in that cloud: its hosts there and its appId."""
    return (*CLOUDS[cloud][service], SERVICE_APP_IDS[service])


def resource_app_id(cloud, resource):
    """(appId, known) for a token `scope` resource: the appId a cloud-specific host names, and whether
    the host belongs to another cloud (so this cloud's Entra does not know it)."""
    wanted = _host(resource)
    for service, app_id in SERVICE_APP_IDS.items():
        if wanted in (_host(uri) for uri in CLOUDS[cloud][service]):
            return app_id, True
    foreign = any(
        wanted in (_host(uri) for uri in spec[service]) for spec in CLOUDS.values() for service in SERVICE_APP_IDS
    )
    return None, not foreign


def has_label_api(cloud, version):
    return version in CLOUDS[cloud]["label_apis"]
