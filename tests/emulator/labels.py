"""Sensitivity labels of a tenant (Microsoft Purview) and the two shapes Graph shows them in.

The store keeps one flat record per label; a sub-label names its parent by
parentId, one level deep as Purview allows. Graph beta
(`microsoft.graph.security.sensitivityLabel`) lists every label flat, each with
its `parent`; Graph v1.0 (`microsoft.graph.sensitivityLabel` in our OpenAPI
subset) lists the top-level labels, with their children in the navigation
property `sublabels` only when asked for with `$expand=sublabels`. Each shape
keeps to its own schema's properties, so clients meet both as they are.
"""

import random
import uuid

from .errors import ServiceError
from .state import new_id

COLORS = ("#13A10E", "#0078D4", "#FF8C00", "#D13438", "#8764B8", "#498205", "#CA5010", None)
CONTENT_FORMATS = (
    ["file", "email"],
    ["file", "email", "site", "unifiedGroup"],
    ["file"],
    ["email", "meeting"],
)
# What every new tenant publishes: Purview's suggested taxonomy, in its order of sensitivity.
DEFAULT_LABELS = (
    ("Public", "Data meant for anyone, inside or outside the company.", ()),
    ("General", "Everyday business data that is not meant for the public.", ()),
    (
        "Confidential",
        "Business data that would hurt the company if shared with the wrong people.",
        ("All Employees", "Anyone (unrestricted)"),
    ),
    (
        "Highly Confidential",
        "The company's most sensitive data; share only with named people.",
        ("All Employees", "Specified People"),
    ),
)
# What a caller may set through the control API, with the values a label gets otherwise.
LABEL_DEFAULTS = {
    "description": "",
    "color": None,
    "tooltip": "",
    "isActive": True,
    "contentFormats": ["file", "email"],
    "hasProtection": False,
}


def _bad_request(message):
    return ServiceError(400, "BadRequest", message)


def _label_not_found(label_id):
    return ServiceError(404, "LabelNotFound", f"No sensitivity label '{label_id}' in this tenant.")


def _record(label_id, name, sensitivity, parent_id=None, **fields):
    return {
        "id": label_id,
        "name": name,
        **LABEL_DEFAULTS,
        **fields,
        "sensitivity": sensitivity,
        "parentId": parent_id,
    }


# --- the store ---------------------------------------------------------------


def _changed(tenant):
    tenant.label_views.clear()


def add_default_labels(tenant):
    sensitivity = 0
    for name, description, children in DEFAULT_LABELS:
        parent = _record(new_id(), name, sensitivity, description=description, tooltip=description)
        tenant.labels[parent["id"]] = parent
        sensitivity += 1
        for child in children:
            label = _record(
                new_id(),
                child,
                sensitivity,
                parent["id"],
                description=description,
                tooltip=f"{name}: {child}",
                hasProtection=True,
            )
            tenant.labels[label["id"]] = label
            sensitivity += 1
    _changed(tenant)


def generate(tenant, count, sublabels_per_label=0, seed=1):
    """Replace the tenant's labels with count top-level labels, each with sublabels_per_label children.

    Ids come from a generator seeded with (seed, tenant id): the same call on the
    same tenant gives the same labels, and two tenants never share label ids.
    """
    count, children = int(count), int(sublabels_per_label)
    if count < 0 or children < 0:
        raise _bad_request("count and sublabels_per_label must not be negative")
    rng = random.Random(f"{seed}:{tenant.tenant_id}")
    labels, sensitivity = {}, 0
    for index in range(count):
        parent_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        name = f"Label {index + 1:05d}"
        labels[parent_id] = _generated(parent_id, name, sensitivity, None, index, f"{name} data")
        sensitivity += 1
        for child in range(children):
            child_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            # Sub-label names repeat under every parent, as "All Employees" does in real tenants.
            labels[child_id] = _generated(
                child_id,
                f"Sublabel {child + 1}",
                sensitivity,
                parent_id,
                index + child,
                f"{name}: sublabel {child + 1}",
            )
            sensitivity += 1
    tenant.labels = labels
    _changed(tenant)
    return len(labels)


def _generated(label_id, name, sensitivity, parent_id, variant, tooltip):
    return {
        "id": label_id,
        "name": name,
        "description": f"Generated label {name}",
        "color": COLORS[variant % len(COLORS)],
        "tooltip": tooltip,
        "isActive": True,
        "contentFormats": list(CONTENT_FORMATS[variant % len(CONTENT_FORMATS)]),
        "hasProtection": variant % 3 == 2,
        "sensitivity": sensitivity,
        "parentId": parent_id,
    }


def add(tenant, entries):
    """Add labels given as {name, id?, parentId? (or parent: {id}), sensitivity?, other fields}.

    A parent must already exist or come earlier in entries, and must itself be
    top-level. All or nothing: one bad entry adds none. Answers the new records.
    """
    if not isinstance(entries, list):
        raise _bad_request("labels must be a list")
    next_sensitivity = max((label["sensitivity"] for label in tenant.labels.values()), default=-1) + 1
    known = dict(tenant.labels)
    added = []
    for entry in entries:
        label = _checked_entry(known, entry, next_sensitivity)
        known[label["id"]] = label
        next_sensitivity = max(next_sensitivity, label["sensitivity"]) + 1
        added.append(label)
    tenant.labels.update((label["id"], label) for label in added)
    _changed(tenant)
    return [dict(label) for label in added]


def _checked_entry(known, entry, sensitivity):
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise _bad_request("every label needs a name")
    unknown = set(entry) - set(LABEL_DEFAULTS) - {"id", "name", "sensitivity", "parentId", "parent"}
    if unknown:
        raise _bad_request(f"unknown label fields: {', '.join(sorted(unknown))}")
    label_id = str(uuid.UUID(entry["id"])) if entry.get("id") else new_id()
    if label_id in known:
        raise ServiceError(409, "LabelExists", f"The label '{label_id}' already exists.")
    parent_id = entry.get("parentId") or (entry.get("parent") or {}).get("id")
    if parent_id:
        parent = known.get(str(parent_id).lower())
        if parent is None:
            raise _label_not_found(parent_id)
        if parent["parentId"]:
            raise _bad_request("a sub-label cannot have sub-labels of its own")
        parent_id = parent["id"]
    fields = {name: entry[name] for name in LABEL_DEFAULTS if name in entry}
    return _record(label_id, entry["name"], int(entry.get("sensitivity", sensitivity)), parent_id, **fields)


def _label(tenant, label_id):
    label = tenant.labels.get(str(label_id).lower())
    if label is None:
        raise _label_not_found(label_id)
    return label


def rename(tenant, label_id, name):
    if not isinstance(name, str) or not name:
        raise _bad_request("name must be a non-empty string")
    label = _label(tenant, label_id)
    label["name"] = name
    _changed(tenant)
    return dict(label)


def delete(tenant, label_id):
    """Delete a label and, as Purview does with a parent, its sub-labels; answers how many went."""
    label = _label(tenant, label_id)
    doomed = [label["id"]] + [c["id"] for c in tenant.labels.values() if c["parentId"] == label["id"]]
    for doomed_id in doomed:
        del tenant.labels[doomed_id]
    _changed(tenant)
    return len(doomed)


def ordered(tenant):
    """Copies of the records, least sensitive first, as Purview orders them."""
    return [dict(label) for label in sorted(tenant.labels.values(), key=lambda label: label["sensitivity"])]


def _parents(labels):
    """Ids of the labels that have sub-labels: those are not appliable themselves."""
    return {label["parentId"] for label in labels if label["parentId"]}


# --- Graph shapes ------------------------------------------------------------


def _beta_shape(label, parents, parent=None):
    return {
        "id": label["id"],
        "name": label["name"],
        "description": label["description"],
        "color": label["color"],
        "sensitivity": label["sensitivity"],
        "tooltip": label["tooltip"],
        "isActive": label["isActive"],
        "isAppliable": label["id"] not in parents,
        "contentFormats": list(label["contentFormats"]),
        "hasProtection": label["hasProtection"],
        "parent": parent,
    }


def _cached(tenant, build):
    """build(tenant), kept until the labels change; callers must not modify what they get."""
    if build.__name__ not in tenant.label_views:
        tenant.label_views[build.__name__] = build(tenant)
    return tenant.label_views[build.__name__]


def beta_view(tenant):
    return _cached(tenant, _build_beta_view)


def v1_view(tenant, expand_sublabels=False):
    return _cached(tenant, _build_v1_expanded_view if expand_sublabels else _build_v1_view)


def _build_beta_view(tenant):
    """Every label, flat, each with its parent label (itself without a parent) or null."""
    labels = ordered(tenant)
    parents = _parents(labels)
    shaped = {label["id"]: _beta_shape(label, parents) for label in labels}
    return [
        (
            dict(shaped[label["id"]], parent=shaped[label["parentId"]])
            if label["parentId"]
            else shaped[label["id"]]
        )
        for label in labels
    ]


def _v1_shape(label):
    """Only the properties microsoft.graph.sensitivityLabel has in v1.0 (no color, contentFormats,
    isActive or isAppliable: those are beta's); `sublabels` is a navigation property, added by the
    view only when the caller asks for $expand=sublabels."""
    return {
        "id": label["id"],
        "name": label["name"],
        "displayName": label["name"],
        "description": label["description"],
        "toolTip": label["tooltip"],
        "autoTooltip": "",
        "priority": label["sensitivity"],
        "hasProtection": label["hasProtection"],
        "isDefault": False,
        "isEndpointProtectionEnabled": False,
        "isScopedToUser": False,
        "locale": "en-US",
        "actionSource": "manual",
    }


def _build_v1_view(tenant):
    """The top-level labels, without their sub-labels (not asked for with $expand)."""
    return [_v1_shape(label) for label in ordered(tenant) if not label["parentId"]]


def _build_v1_expanded_view(tenant):
    """The top-level labels, each with its sub-labels nested in `sublabels` ($expand=sublabels)."""
    labels = ordered(tenant)
    top = {label["id"]: dict(_v1_shape(label), sublabels=[]) for label in labels if not label["parentId"]}
    for label in labels:
        if label["parentId"]:
            top[label["parentId"]]["sublabels"].append(_v1_shape(label))
    return list(top.values())
