"""The fixed words printed on leaflets, marked for translation.

Short sentences and plain words: many readers are reading a second language, some are
unwell or frightened. Facts here are general harm-reduction advice the Warwickshire needs
assessment (2022) asks services to spread; facts about a particular service come only
from the directory. Directory content itself stays in English.
"""

from __future__ import annotations

from coventry_directory.core.distance_words import ABOUT_KM, APPROXIMATE_NOTE, IN_PLACE
from coventry_directory.i18n import N_

# How far a service is: worded by core.distance_words.distance_text for every leaflet
# (the same words as on screen); named here so every leaflet language must translate them.
DISTANCE_WORDS = (IN_PLACE, ABOUT_KM, APPROXIMATE_NOTE)

# --- headings and labels -----------------------------------------------------------------
WHAT_THEY_OFFER = N_("What they offer")
WHO_FOR = N_("Who it is for")
HOW_TO_GET_HELP = N_("How to get help")
PHONE = N_("Phone")
ADDRESS = N_("Address")
OPENING_HOURS = N_("Opening hours")
WEB_PAGE = N_("Web page")
EMAIL = N_("Email")
AREAS = N_("Areas")
HELP_WITH = N_("Help with")
GROUPS = N_("Groups")
DISTANCE = N_("Distance")
HOW_TO_FIND_OUT = N_("How to find out")
RUN_BY = N_("Run by {organisation}")
SCAN_QR = N_("Scan the code with a phone camera to open their web page.")
ENGLISH_NOTE = N_("Some details are in English, as the service gives them. Staff can help you read them.")
PLEASE_NOTE = N_("Please note")
# The record's state, said in the reader's language above its own (English) warning.
MAY_HAVE_CHANGED = N_("The organisation running this service may have changed since these sources were written.")
OLD_INFORMATION = N_("This information is from {year}. The service may have moved, changed or closed.")
IN_ENGLISH = N_("(in English)")
UK_WIDE = N_("Anywhere in the UK")

# How to get help, in the order a person can act on it: contacting them yourself first.
ROUTE_ORDER = (
    "self-referral",
    "drop-in",
    "online-form",
    "professional-referral",
    "court-custody-only",
    "provider-clients-only",
)
ROUTE_SENTENCES = {
    "self-referral": N_("You can contact them yourself. You do not need a referral."),
    "drop-in": N_("You can drop in without an appointment when they are open."),
    "online-form": N_("You can refer yourself with an online form."),
    "professional-referral": N_("A GP, key worker or other professional can refer you, if you agree."),
    "court-custody-only": N_("Only through the courts, police custody or care proceedings."),
    "provider-clients-only": N_("Only for people already using this provider's services, through their own worker."),
}

# --- privacy: people fear help "will be used against them" (needs assessment, 2022) ---------
PRIVACY_HEADING = N_("Your privacy")
PRIVACY = (
    N_("Drug and alcohol services keep what you tell them private."),
    N_("They do not tell the police, your employer or your family without your agreement."),
    N_("They may have to share information if someone is at serious risk of harm. They will usually tell you first."),
    N_("If you are a parent, getting help early is a good way to protect your family."),
    N_("Before you talk, you can ask how they share information and who with."),
)

# --- crisis lines: always printed ------------------------------------------------------------
CRISIS_HEADING = N_("If you need help now")
CRISIS = (
    N_("Emergency: call 999."),
    N_("Urgent medical help: call NHS 111."),
    N_("To talk to someone, day or night: call Samaritans free on 116 123."),
)

# --- footer ---------------------------------------------------------------------------------------
# How current the sheet is: the oldest date a printed record was checked, and how old the
# sources behind them are (a record checked in 2026 against a 2022 paper is 2022's news).
CHECKED_FROM_SOURCES = N_(
    "Information checked on {date}, from sources dated {years}. Check with the service before you go."
)
CHECKED_PARTLY_DATED_SOURCES = N_(
    "Information checked on {date}, from sources dated {years} and some undated sources."
    " Check with the service before you go."
)
CHECKED_UNDATED_SOURCES = N_(
    "Information checked on {date}; its sources are undated. Check with the service before you go."
)
CHECKED_ON = N_("Information checked on {date}. Check with the service before you go.")
NO_PERSONAL_DETAILS = N_("This sheet has no personal details on it.")
PAGE = N_("Page {number}")
# Printed in English on purpose, whatever the leaflet's language: the worker handing it
# over must be able to read it.
UNREVIEWED_NOTICE = "Translation not yet checked by a fluent speaker"

# --- topic leaflets ---------------------------------------------------------------------------------
ALL_AREAS = "Coventry and Warwickshire"
TOPIC_TITLES = {
    "naloxone": N_("Where to get naloxone in {place}"),
    "needle-syringe": N_("Needle and syringe services in {place}"),
    "mutual-aid": N_("Mutual aid meetings in {place}"),
}
TOPIC_TITLE_OTHER = N_("{category}: services in {place}")
GOOD_TO_KNOW = N_("Good to know")
WHERE_TO_GO = N_("Where to go")
NONE_FOUND = N_("The directory has no services of this kind for {place}. Ask your GP, or call NHS 111.")

FACTS = {
    "naloxone": (
        N_("Naloxone can reverse an overdose of opioids, such as heroin or methadone, for a short time."),
        N_(
            "It is for anyone who might see an overdose: friends, family, carers and workers. It is not only for people who inject."
        ),
        N_("Always call 999 as well. Naloxone wears off sooner than the opioids."),
        N_("Carry your kit with you. A kit at home cannot help if you are somewhere else."),
        N_("Ask for training when you get a kit."),
    ),
    "needle-syringe": (
        N_("Use new equipment every time."),
        N_("Do not share needles, syringes, spoons, filters or water."),
        N_("Return used equipment in a sharps bin."),
        N_("Ask about tests for hepatitis B, hepatitis C and HIV."),
        N_("Ask for naloxone too."),
    ),
    "mutual-aid": (
        N_("Meetings are run by people in recovery, for people in recovery."),
        N_("You do not need a referral."),
        N_("You can just listen. You do not have to speak."),
    ),
}

# --- shortlist handout -----------------------------------------------------------------------------
HANDOUT_TITLE = N_("Services that can help")
HANDOUT_INTRO = N_("These are the services we talked about.")

# --- meeting lists (mutual-aid meetings, leaflets/meetings_leaflet.py) -------------------------------
MEETINGS_THIS_WEEK = N_("Meetings this week")
MEETINGS_TODAY = N_("Meetings today")
MEETINGS_THIS_WEEK_NEAR = N_("Meetings this week near {place}")
MEETINGS_TODAY_NEAR = N_("Meetings today near {place}")
MEETINGS_PRINTED = N_("Printed on {date}")
MEETINGS_ONLY = N_("Only: {filters}")
MEETINGS_ONLINE_ONLY = N_("meetings you can join online")
MEETINGS_IN_PERSON_ONLY = N_("meetings you can go to in person")
MEETINGS_WITHIN = N_("up to {km} km away")
MEETINGS_ONLINE_ANYWHERE = N_("online meetings from anywhere")
MEETINGS_SOURCE = N_("Meeting details come from {source} as published on {date}. Check with the group before you go.")
MEETINGS_OPEN_CLOSED = N_(
    "Open meetings are for anyone. Closed meetings are only for people who want to stop drinking or using drugs."
)
MEETINGS_ONLINE_AT = N_("Online: {link}")
MEETINGS_ALSO_ONLINE = N_("Also online: {link}")
MEETINGS_DIAL_IN = N_("By phone: {number}")
MEETINGS_FROM_TIME = N_("from {time}")
MEETINGS_BANK_HOLIDAY = N_("{name} (bank holiday): check with the group that the meeting is on.")
MEETINGS_NONE = N_("No meetings match this choice. Try a wider area or fewer filters.")
MEETINGS_NO_TIME = N_("No day or time given: ask the group")
MEETINGS_DISTANCE_NOT_KNOWN = N_("distance not known")
MEETINGS_NO_PLACE = N_("Where: not given. Check with the group.")
# The types people look for most, in words a reader can act on; other types keep the
# meeting list's English label, as published.
MEETING_TYPE_WORDS = {
    "O": N_("Open meeting"),
    "C": N_("Closed meeting"),
    "W": N_("Women only"),
    "M": N_("Men only"),
    "LGBTQ": N_("LGBTQ+ people"),
    "X": N_("Wheelchair access"),
    "BE": N_("For newcomers"),
    "D": N_("Discussion"),
    "SP": N_("Speaker meeting"),
    "ST": N_("Step study"),
}
