"""The one mapping between seed-document keys (snake_case) and wire members (PascalCase).

Loader and exporter both read these tables, so the two directions cannot drift apart.
"""

from __future__ import annotations

from chime_local.model.enums import RegistrationStatus

# (seed key, wire member) for scalar fields copied as they are.
ACCOUNT_FIELDS = (
    ("id", "AccountId"),
    ("aws_account_id", "AwsAccountId"),
    ("name", "Name"),
    ("type", "AccountType"),
    ("created", "CreatedTimestamp"),
    ("default_license", "DefaultLicense"),
    ("supported_licenses", "SupportedLicenses"),
    ("status", "AccountStatus"),
    ("domains", "Domains"),
)
ACCOUNT_SETTINGS = (
    ("disable_remote_control", "DisableRemoteControl"),
    ("enable_dial_out", "EnableDialOut"),
)
USER_FIELDS = (
    ("id", "UserId"),
    ("email", "PrimaryEmail"),
    ("display_name", "DisplayName"),
    ("user_type", "UserType"),
    ("license", "LicenseType"),
    ("invitation_status", "UserInvitationStatus"),
    ("pin", "PersonalPIN"),
    ("registered_on", "RegisteredOn"),
    ("invited_on", "InvitedOn"),
    ("primary_provisioned_number", "PrimaryProvisionedNumber"),
)
TELEPHONY_SETTINGS = (
    ("inbound_calling", "InboundCalling"),
    ("outbound_calling", "OutboundCalling"),
    ("sms", "SMS"),
)
ALEXA_FIELDS = (
    ("enabled", "IsAlexaForBusinessEnabled"),
    ("room_arn", "AlexaForBusinessRoomArn"),
)
# user "state" <-> UserRegistrationStatus
STATES = {
    "registered": RegistrationStatus.REGISTERED,
    "invited": RegistrationStatus.UNREGISTERED,
    "suspended": RegistrationStatus.SUSPENDED,
}
STATE_OF_STATUS = {status: state for state, status in STATES.items()}
