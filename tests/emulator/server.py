"""Wiring: one WSGI app routes by path prefix to the services, applies faults, logs requests;
the Emulator serves it over TLS (a trustme CA of its own) from a daemon thread.
"""

import functools
import shutil
import ssl
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlencode

import trustme
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

from .arm import ArmService
from .control import ControlApi
from .entra import EntraService
from .errors import code_for_status, message_for_status
from .faults import FaultList, RequestLog
from .graph import GraphService
from .graph_beta import GraphBetaService
from .power_platform import PowerPlatformService
from .state import Store
from .tokens import TokenSigner
from .web import json_response
from .zia import ZiaService
from .zia_auth import OneApiTokenService
from .zia_control import ZiaControl
from .zia_state import ZiaCloud


class EmulatorApp:
    """The WSGI application. Services are tried longest prefix first (/graph/beta before /graph...)."""

    def __init__(self, store, services, control, faults, request_log):
        self.store = store
        self.services = sorted(services, key=lambda service: len(service.prefix), reverse=True)
        self.control = control
        self.faults = faults
        self.request_log = request_log

    def __call__(self, environ, start_response):
        request = Request(environ)
        if self._under(request.path, self.control.prefix):
            return self.control.handle(request)(environ, start_response)
        service = next((s for s in self.services if self._under(request.path, s.prefix)), None)
        response = self._answer(service, request)
        self.request_log.record(
            method=request.method,
            service=service.name if service else "unknown",
            path=request.path,
            query=request.query_string.decode() if service is None or service.logs_query else "",
            status=response.status_code,
        )
        return response(environ, start_response)

    @staticmethod
    def _under(path, prefix):
        return path == prefix or path.startswith(prefix + "/")

    def _answer(self, service, request):
        if service is None:
            return json_response(
                404, {"error": {"code": "NotFound", "message": f"No emulated service at {request.path}"}}
            )
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status:
                return self._fault_response(service, request, fault)
            if fault.query:
                request = _with_query(request, fault.query)
        try:
            with self.store.lock:
                return service.handle(request)
        except Exception as error:  # noqa: BLE001 - an emulator bug must still answer, and be seen
            traceback.print_exc()
            return service.error_response(request, 500, "InternalServerError", f"Emulator error: {error!r}")

    def _fault_response(self, service, request, fault):
        if fault.body is None:
            response = service.error_response(
                request, fault.status, code_for_status(fault.status), message_for_status(fault.status)
            )
        else:
            response = json_response(fault.status, fault.body)
        response.headers.update(fault.headers)
        return response


def _with_query(request, changes):
    """The same request with some query parameters set (or removed, for None)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    environ = dict(request.environ, QUERY_STRING=urlencode(args, doseq=True))
    return Request(environ)


class _QuietRequestHandler(WSGIRequestHandler):
    """The request log is the record; werkzeug's per-request stderr lines would only be noise."""

    def log_request(self, *args, **kwargs):
        pass


class Emulator:
    """The emulated Microsoft services on https://127.0.0.1:PORT; see the package docstring."""

    def __init__(self, port=0, replication_delay=0.0, replication_seed=None):
        self.requested_port = port
        self.store = Store(replication_delay=replication_delay, replication_seed=replication_seed)
        self.signer = TokenSigner()
        self.faults = FaultList()
        self.request_log = RequestLog()
        self.graph = GraphService(self.store, self.signer)
        entra = EntraService(self.store, self.signer)
        zia_cloud = ZiaCloud()
        services = [
            entra,
            self.graph,
            GraphBetaService(self.store, self.signer),
            ArmService(self.store, self.signer),
            PowerPlatformService(self.store, self.signer),
            OneApiTokenService(zia_cloud),
            ZiaService(self.store, zia_cloud, entra),
        ]
        self.zia_control = ZiaControl(self.store, zia_cloud, entra)
        self.control = ControlApi(self.store, self.signer, self.faults, self.request_log, self.zia_control)
        self.app = EmulatorApp(self.store, services, self.control, self.faults, self.request_log)
        self._server = None
        self._thread = None
        self._workdir = None
        self.port = None
        self.url = None
        self.ca_file = None

    # --- lifecycle -----------------------------------------------------------

    def start(self):
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._workdir = Path(tempfile.mkdtemp(prefix="mipconnect-emulator-"))
        try:
            self._server = make_server(
                "127.0.0.1",
                self.requested_port,
                self.app,
                threaded=True,
                request_handler=_QuietRequestHandler,
                ssl_context=self._tls_context(),
            )
        except BaseException:
            shutil.rmtree(self._workdir, ignore_errors=True)
            raise
        self.port = self._server.server_port
        self.url = f"https://127.0.0.1:{self.port}"
        self.graph.bind(self.url)
        self.zia_control.base_url = self.url
        # A short poll interval keeps stop() quick.
        serve = functools.partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="emulator", daemon=True)
        self._thread.start()
        return self

    def _tls_context(self):
        """A server certificate for 127.0.0.1 and localhost from a CA made for this run only."""
        authority = trustme.CA(organization_name="mipconnect emulator CA")
        self.ca_file = str(self._workdir / "ca.pem")
        authority.cert_pem.write_to_path(self.ca_file)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        shutil.rmtree(self._workdir, ignore_errors=True)
        self._server = self._thread = self._workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # --- control API, called in-process --------------------------------------

    def create_tenant(self, tenant_id=None, cloud="public"):
        return self.control.create_tenant(tenant_id, cloud)

    def create_client(self, tenant_id, graph_roles=(), subscription_roles=(), display_name=None):
        return self.control.create_client(tenant_id, graph_roles, subscription_roles, display_name)

    def user_token(self, tenant_id, audience="https://service.powerapps.com/", admin=True):
        return self.control.user_token(tenant_id, self.url, audience=audience, admin=admin)

    def expire_secrets(self, tenant_id, app_id):
        return self.control.expire_secrets(tenant_id, app_id)

    def seed_labels(self, tenant_id, count, sublabels_per_label=0, seed=1):
        return self.control.seed_labels(tenant_id, count, sublabels_per_label, seed)

    def add_labels(self, tenant_id, labels):
        return self.control.add_labels(tenant_id, labels)

    def rename_label(self, tenant_id, label_id, name):
        return self.control.rename_label(tenant_id, label_id, name)

    def delete_label(self, tenant_id, label_id):
        return self.control.delete_label(tenant_id, label_id)

    def labels(self, tenant_id):
        return self.control.labels(tenant_id)

    def create_zia_org(self):
        return self.zia_control.create_org()

    def zia_state(self, org_id):
        return self.zia_control.state(org_id)

    def seed_mip_account(self, org_id, **fields):
        return self.zia_control.seed_mip_account(org_id, **fields)

    def configure_zia(self, **changes):
        return self.zia_control.configure(**changes)

    def zia_oneapi_key(self, org_id):
        return self.zia_control.oneapi_key(org_id)

    def requests(self, since=0):
        """The request log from index ``since`` on; ``request_count()`` is the index to start from."""
        return self.request_log.entries(since)

    def request_count(self):
        return len(self.request_log)

    def clear_requests(self):
        self.request_log.clear()

    def add_fault(self, method=None, path=".*", status=503, headers=None, times=1, delay=0.0, body=None, skip=0,
                  query=None):
        return self.faults.add(
            path=path, status=status, method=method, headers=headers, body=body, times=times, delay=delay,
            skip=skip, query=query,
        ).describe()

    def add_redirect(self, method, path, location, status=307, times=1):
        """Answer matching requests with a redirect to ``location`` (another host, plain http...)."""
        return self.add_fault(method=method, path=path, status=status, headers={"Location": location}, times=times)

    def clear_faults(self):
        self.faults.clear()

    @property
    def default_replication_delay(self):
        """The replication delay this emulator started with: what a test that changed it goes back to."""
        return self.store.initial_replication_delay

    def configure(self, replication_delay=None, page_size=None):
        return self.control.configure(replication_delay=replication_delay, page_size=page_size)

    def state(self, tenant_id=None):
        return self.control.state(tenant_id)

    def reset(self):
        self.control.reset()
