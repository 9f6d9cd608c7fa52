# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The permission catalog: which API permissions each Microsoft application needs.

This file is data only. It transcribes the "API Permissions for Microsoft
Applications" tables of Zscaler's "Authorizing a Custom Zscaler Connector for
Microsoft Applications" page. Every permission is keyed on
(resource appId, permission value) because the same value exists on several
resources with different ids (``Sites.Read.All`` on Microsoft Graph and on
SharePoint Online).

The ids are the ones Microsoft publishes; modules still resolve ids at run time
from the resource's service principal and only fall back to these.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ROLE = "Role"  # application permission (app role), granted with appRoleAssignedTo
SCOPE = "Scope"  # delegated permission, granted with an oauth2PermissionGrant

SCANNING = "Scanning"
REMOVE_ACTIONS = (
    "Remove Sharing, Restore Quarantined File, Remove External Collaborators, "
    "Remove External Collaborators and Shareable Link, Remove Public Shareable Link, "
    "Remove Internal Shareable Link, Quarantine, Quarantine to User Root Folder, Remove File"
)
FILES_RW_ACTIONS = "Scanning and Quarantine, Quarantine to User Root Folder"
NOTIFY_USER = "Notify User (Zscaler Workflow Automation)"

# Resource APIs, by a short key used in the catalog below.
RESOURCES = {
    "microsoft_graph": {
        "app_id": "00000003-0000-0000-c000-000000000000",
        "display_name": "Microsoft Graph",
    },
    "sharepoint_online": {
        "app_id": "00000003-0000-0ff1-ce00-000000000000",
        "display_name": "Office 365 SharePoint Online",
    },
    "office365_management_apis": {
        "app_id": "c5393580-f805-4401-95e8-94b7a6ef2fc2",
        "display_name": "Office 365 Management APIs",
    },
    "rights_management": {
        "app_id": "00000012-0000-0000-c000-000000000000",
        "display_name": "Microsoft Rights Management Services",
    },
    "mip_sync_service": {
        "app_id": "870c4f2e-85b6-4d43-bdda-6ed9a579b725",
        "display_name": "Microsoft Information Protection Sync Service",
    },
    "azure_storage": {
        "app_id": "e406a681-f3d4-42a8-90b6-c2b029497af1",
        "display_name": "Azure Storage",
    },
    "azure_service_management": {
        "app_id": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "display_name": "Windows Azure Service Management API",
    },
}

# Expected permission ids: (resource key, permission value) -> (type, id).
PERMISSION_IDS = {
    ("microsoft_graph", "InformationProtectionPolicy.Read.All"): (ROLE, "19da66cb-0fb0-4390-b071-ebc76a349482"),
    ("microsoft_graph", "Mail.ReadWrite"): (ROLE, "e2a3a72e-5f79-4c64-b1b1-878b674786c9"),
    ("microsoft_graph", "MailboxSettings.Read"): (ROLE, "40f97065-369a-49f4-947c-6a255697ae91"),
    ("microsoft_graph", "Directory.Read.All"): (ROLE, "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
    ("microsoft_graph", "User.Read.All"): (ROLE, "df021288-bdef-4463-88db-98f22de89214"),
    ("microsoft_graph", "Mail.Send"): (ROLE, "b633e1c5-b582-4048-a93e-9f11b44c7e96"),
    ("microsoft_graph", "Organization.Read.All"): (ROLE, "498476ce-e0fe-48b0-b801-37ba7e2685c6"),
    ("microsoft_graph", "AuditLog.Read.All"): (ROLE, "b0afded3-3588-46d8-8b3d-9842eff778da"),
    ("microsoft_graph", "Member.Read.Hidden"): (ROLE, "658aa5d8-239f-45c4-aa12-864f4fc7e490"),
    ("microsoft_graph", "Reports.Read.All"): (ROLE, "230c1aed-a721-4c5d-9cb4-a90514e508ef"),
    ("microsoft_graph", "People.Read.All"): (ROLE, "b528084d-ad10-4598-8b93-929746b4d7d6"),
    ("microsoft_graph", "Group.Read.All"): (ROLE, "5b567255-7703-4780-807c-7be8301ae99b"),
    ("microsoft_graph", "Sites.Manage.All"): (ROLE, "0c0bf378-bf22-4481-8f81-9e89a9b4960a"),
    ("microsoft_graph", "Sites.ReadWrite.All"): (ROLE, "9492366f-7969-46a4-8d15-ed1a20078fff"),
    ("microsoft_graph", "Files.ReadWrite.All"): (ROLE, "75359482-378d-4052-8f01-80520e7db3cd"),
    ("microsoft_graph", "GroupMember.Read.All"): (ROLE, "98830695-27a2-44f7-8c18-0c3ebc9698f6"),
    ("microsoft_graph", "Application.Read.All"): (ROLE, "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
    ("microsoft_graph", "TeamMember.Read.All"): (ROLE, "660b7406-55f1-41ca-a0ed-0b035e182f3e"),
    ("microsoft_graph", "Chat.UpdatePolicyViolation.All"): (ROLE, "7e847308-e030-4183-9899-5235d7270f58"),
    ("microsoft_graph", "TeamsAppInstallation.ReadForUser.All"): (ROLE, "9ce09611-f4f7-4abd-a629-a05450422a97"),
    ("microsoft_graph", "TeamsAppInstallation.ReadWriteSelfForUser.All"): (ROLE, "908de74d-f8b2-4d6b-a9ed-2a17b3b78179"),
    ("microsoft_graph", "TeamsAppInstallation.ReadWriteAndConsentForTeam.All"): (ROLE, "b0c13be0-8e20-4bc5-8c55-963c23a39ce9"),
    ("microsoft_graph", "Sites.Selected"): (ROLE, "883ea226-0bf2-4a8f-9f9d-92c9162a727d"),
    ("microsoft_graph", "TeamsActivity.Read.All"): (ROLE, "70dec828-f620-4914-aa83-a29117306807"),
    ("microsoft_graph", "TeamsAppInstallation.ReadForChat.All"): (ROLE, "cc7e7635-2586-41d6-adaa-a8d3bcad5ee5"),
    ("microsoft_graph", "ChannelSettings.Read.All"): (ROLE, "c97b873f-f59f-49aa-8a0e-52b32d762124"),
    ("microsoft_graph", "Channel.ReadBasic.All"): (ROLE, "59a6b24b-4225-4393-8165-ebaec5f55d7a"),
    ("microsoft_graph", "Sites.Read.All"): (ROLE, "332a536c-c7ef-4017-ab91-336970924f0d"),
    ("microsoft_graph", "ChatMessage.Read.All"): (ROLE, "b9bb2381-47a4-46cd-aafb-00cb12f68504"),
    ("microsoft_graph", "ChannelMember.Read.All"): (ROLE, "3b55498e-47ec-484f-8136-9013221c06a9"),
    ("microsoft_graph", "Files.Read.All"): (ROLE, "01d4889c-1287-42c6-ac1f-5d1e02578ef6"),
    ("microsoft_graph", "Team.ReadBasic.All"): (ROLE, "2280dda6-0bfd-44ee-a2f4-cb867cfc4c1e"),
    ("microsoft_graph", "Chat.Read.All"): (ROLE, "6b7d71aa-70aa-4810-a8d9-5d9fb2830017"),
    ("microsoft_graph", "ChannelMessage.Read.All"): (ROLE, "7b2449af-6ccd-4f4d-9f78-e550c193f0d1"),
    ("microsoft_graph", "ChannelMessage.UpdatePolicyViolation.All"): (ROLE, "4d02b0cc-d90b-441f-8d82-4fb55c34d6bb"),
    ("microsoft_graph", "Chat.ReadBasic.All"): (ROLE, "b2e060da-3baf-4687-9611-f4ebc0f0cbde"),
    ("microsoft_graph", "ChatMember.Read.All"): (ROLE, "a3410be2-8e48-4f32-8454-c29a7465209d"),
    ("microsoft_graph", "TeamsAppInstallation.ReadForTeam.All"): (ROLE, "1f615aea-6bf9-4b05-84bd-46388e138537"),
    ("microsoft_graph", "SensitivityLabel.Read"): (ROLE, "3b8e7aad-f6e3-4299-83f8-6fc6a5777f0b"),
    ("microsoft_graph", "SensitivityLabels.Read.All"): (ROLE, "e46a01e9-b2cf-4d89-8424-bcdc6dd445ab"),
    ("sharepoint_online", "Sites.Read.All"): (ROLE, "d13f72ca-a275-4b96-b789-48ebcc4da984"),
    ("office365_management_apis", "ActivityFeed.Read"): (ROLE, "594c1fb6-4f81-4475-ae41-0c394909246c"),
    ("rights_management", "Content.DelegatedReader"): (ROLE, "7f740376-647b-4ad7-9ff7-292af252707a"),
    ("rights_management", "Content.DelegatedWriter"): (ROLE, "d13f921c-7f21-4c08-bade-db9d048bd0da"),
    ("rights_management", "Content.SuperUser"): (ROLE, "7347eb49-7a1a-43c5-8eac-a5cd1d1c7cf0"),
    ("rights_management", "Content.Writer"): (ROLE, "006e763d-a822-41fc-8df5-8d3d7fe20022"),
    ("mip_sync_service", "UnifiedPolicy.Tenant.Read"): (ROLE, "8b2071cd-015a-4025-8052-1c0dba2d3f64"),
    ("azure_storage", "user_impersonation"): (SCOPE, "03e0da56-190b-40ad-a80c-ea378c433f7f"),
    ("azure_service_management", "user_impersonation"): (SCOPE, "41094075-9dad-400e-a0bd-54e686782033"),
}

# Zscaler's tables, in the order the page lists them:
# application -> [(resource key, permission value, Zscaler actions it serves)].
_ONEDRIVE_GRAPH = [
    ("microsoft_graph", "People.Read.All", SCANNING),
    ("microsoft_graph", "Group.Read.All", SCANNING),
    ("microsoft_graph", "Sites.Manage.All", SCANNING),
    ("microsoft_graph", "Sites.ReadWrite.All", REMOVE_ACTIONS),
    ("microsoft_graph", "Files.ReadWrite.All", FILES_RW_ACTIONS),
    ("microsoft_graph", "Directory.Read.All", SCANNING),
    ("microsoft_graph", "GroupMember.Read.All", SCANNING),
    ("microsoft_graph", "Organization.Read.All", SCANNING),
    ("microsoft_graph", "AuditLog.Read.All", SCANNING),
    ("microsoft_graph", "Application.Read.All", SCANNING),
    ("microsoft_graph", "Reports.Read.All", SCANNING),
]

APPLICATIONS = {
    "copilot": [
        ("microsoft_graph", "Sites.Read.All", SCANNING),
        ("microsoft_graph", "User.Read.All", SCANNING),
    ],
    "azure_blob_storage": [
        ("azure_storage", "user_impersonation", "Discover Storage Account, Scanning"),
        ("azure_service_management", "user_impersonation", "Discover Storage Account, Scanning"),
    ],
    "exchange": [
        ("microsoft_graph", "Mail.ReadWrite", "Apply Email Tag Label"),
        ("microsoft_graph", "MailboxSettings.Read", SCANNING),
        ("microsoft_graph", "Directory.Read.All", SCANNING),
        ("microsoft_graph", "User.Read.All", SCANNING),
        ("microsoft_graph", "Mail.Send", "Quarantine"),
        ("microsoft_graph", "Organization.Read.All", SCANNING),
        ("microsoft_graph", "AuditLog.Read.All", SCANNING),
        ("microsoft_graph", "Member.Read.Hidden", SCANNING),
        ("microsoft_graph", "Reports.Read.All", SCANNING),
    ],
    "mip": [
        ("microsoft_graph", "InformationProtectionPolicy.Read.All", SCANNING),
        ("mip_sync_service", "UnifiedPolicy.Tenant.Read", SCANNING),
        ("rights_management", "Content.DelegatedWriter", "Apply MIP Labels to File"),
        ("rights_management", "Content.Writer", "Apply MIP Labels to File"),
        ("rights_management", "Content.SuperUser", SCANNING),
        ("rights_management", "Content.DelegatedReader", SCANNING),
    ],
    "onedrive": [("office365_management_apis", "ActivityFeed.Read", SCANNING)] + _ONEDRIVE_GRAPH,
    "sharepoint": [
        ("sharepoint_online", "Sites.Read.All", SCANNING),
        ("office365_management_apis", "ActivityFeed.Read", SCANNING),
    ] + _ONEDRIVE_GRAPH,
    "teams": [
        ("office365_management_apis", "ActivityFeed.Read", SCANNING),
        ("microsoft_graph", "TeamMember.Read.All", SCANNING),
        ("microsoft_graph", "Chat.UpdatePolicyViolation.All", "Block Message"),
        ("microsoft_graph", "TeamsAppInstallation.ReadForUser.All", SCANNING),
        ("microsoft_graph", "TeamsAppInstallation.ReadWriteSelfForUser.All", NOTIFY_USER),
        ("microsoft_graph", "TeamsAppInstallation.ReadWriteAndConsentForTeam.All", NOTIFY_USER),
        ("microsoft_graph", "Sites.Selected", SCANNING),
        ("microsoft_graph", "TeamsActivity.Read.All", SCANNING),
        ("microsoft_graph", "TeamsAppInstallation.ReadForChat.All", SCANNING),
        ("microsoft_graph", "ChannelSettings.Read.All", SCANNING),
        ("microsoft_graph", "Channel.ReadBasic.All", SCANNING),
        ("microsoft_graph", "People.Read.All", SCANNING),
        ("microsoft_graph", "Group.Read.All", SCANNING),
        ("microsoft_graph", "Sites.Read.All", SCANNING),
        ("microsoft_graph", "Sites.ReadWrite.All", REMOVE_ACTIONS),
        ("microsoft_graph", "ChatMessage.Read.All", SCANNING),
        ("microsoft_graph", "Directory.Read.All", SCANNING),
        ("microsoft_graph", "User.Read.All", SCANNING),
        ("microsoft_graph", "ChannelMember.Read.All", SCANNING),
        ("microsoft_graph", "GroupMember.Read.All", SCANNING),
        ("microsoft_graph", "Files.Read.All", SCANNING),
        ("microsoft_graph", "Team.ReadBasic.All", SCANNING),
        ("microsoft_graph", "Chat.Read.All", SCANNING),
        ("microsoft_graph", "ChannelMessage.Read.All", SCANNING),
        ("microsoft_graph", "ChannelMessage.UpdatePolicyViolation.All", NOTIFY_USER),
        ("microsoft_graph", "Organization.Read.All", SCANNING),
        ("microsoft_graph", "AuditLog.Read.All", SCANNING),
        ("microsoft_graph", "Chat.ReadBasic.All", SCANNING),
        ("microsoft_graph", "Application.Read.All", SCANNING),
        ("microsoft_graph", "ChatMember.Read.All", SCANNING),
        ("microsoft_graph", "TeamsAppInstallation.ReadForTeam.All", NOTIFY_USER),
        ("microsoft_graph", "Reports.Read.All", SCANNING),
    ],
}

APPLICATION_NAMES = sorted(APPLICATIONS)

# Azure RBAC roles the Azure Blob Storage connector needs on the subscription.
BLOB_STORAGE_ROLE_DEFINITIONS = {
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
}

# The consent page's `state` value depends on where in the ZIA Admin Portal
# the connector is used: the MIP Labels page or SaaS Application Tenants.
CONSENT_STATE_MIP = "administration/mip-labels"
CONSENT_STATE_SAAS = "administration/add-casb-tenants"

# Graph application permissions that let a caller manage connectors and grant
# consent programmatically; used to explain a 403 to a person.
CALLER_ROLES_NEEDED = {
    "applications": "Application.ReadWrite.All",
    "app_role_grants": "AppRoleAssignment.ReadWrite.All",
    "delegated_grants": "DelegatedPermissionGrant.ReadWrite.All",
}
