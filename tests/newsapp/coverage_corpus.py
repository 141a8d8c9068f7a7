"""Stories told by several outlets, written for the tests, with known groups.

Each story has versions in different words (as another outlet would write it), and the
corpus holds near misses: another tram story in the same town, another fine by the same
regulator. ``STORIES`` maps a story key to its versions: (outlet, title, text).
"""

STORIES = {
    "tram": [
        (
            "Gazette",
            "Riverside tram extension opens with free rides for a week",
            "The tram extension to the Riverside district opened on Friday with five new stops. "
            "Trams will run every six minutes and rides are free for the first week, the "
            "transport authority said. The 4.2 kilometre line took three years to build.",
        ),
        (
            "Courier",
            "Free rides as Riverside tram line opens",
            "Passengers rode the new Riverside tram line for free on its opening day. The 4.2 "
            "kilometre extension adds five stops, with a tram every six minutes, and free "
            "rides continue for a week. Construction of the extension took three years.",
        ),
        (
            "Wire",
            "Riverside district joins the tram network",
            "Five tram stops opened in the Riverside district on Friday as the long-awaited "
            "extension entered service. The transport authority promised trams every six "
            "minutes and a week of free rides on the 4.2 kilometre line.",
        ),
    ],
    "fine": [
        (
            "Gazette",
            "Fitness app PaceMate fined £2.7 million over location data",
            "The data regulator fined the fitness app PaceMate £2.7 million after it shared the "
            "GPS location of runners with six advertising networks without consent for 19 "
            "months. Home addresses could be worked out from where routes began. PaceMate has "
            "1.3 million users and 28 days to appeal.",
        ),
        (
            "Review",
            "PaceMate penalised £2.7m for giving runners' GPS traces to advertisers",
            "Running app PaceMate gave the GPS traces of its 1.3 million users to six "
            "advertising networks for 19 months without valid consent, the data regulator "
            "found, fining the company £2.7 million. Routes starting at home revealed where "
            "runners lived. The app may appeal within 28 days.",
        ),
    ],
    "quake": [
        (
            "Courier",
            "Swarm of small earthquakes near Thorne End",
            "Seismologists are monitoring a swarm of more than sixty small earthquakes "
            "beneath Thorne End near the Aldercombe Fault. The largest, magnitude 2.9, was "
            "felt across town on Tuesday night. Scientists see no sign of a larger quake and "
            "have installed four temporary seismometers.",
        ),
        (
            "Wire",
            "Earthquake swarm at Thorne End: no sign of a bigger quake, seismologists say",
            "More than sixty small earthquakes have shaken Thorne End, the strongest of "
            "magnitude 2.9 on Tuesday night. Seismologists studying the swarm near the "
            "Aldercombe Fault say there is no sign that a larger quake is coming; four "
            "temporary seismometers now track it.",
        ),
    ],
}
# Alone: each its own story, though near in subject to one above.
SINGLES = [
    (
        "Courier",
        "Tram fares to rise by ten pence in April",
        "Tram fares across the network will rise by ten pence from April, the transport "
        "authority said, blaming energy costs. Season tickets are frozen for a year.",
    ),
    (
        "Review",
        "Regulator fines energy supplier over billing errors",
        "The energy regulator fined a supplier after thousands of customers were sent wrong "
        "bills. The company must refund overcharged households within three months.",
    ),
    (
        "Gazette",
        "Harbour ferry timetable changes for winter",
        "Winter sailings of the harbour ferry begin on Monday, with one crossing an hour "
        "instead of two. The last ferry leaves at ten in the evening.",
    ),
    (
        "Wire",
        "Library opens on Sundays for the first time",
        "The central library will open on Sunday afternoons from next month after a "
        "donation from a local trust paid for extra staff.",
    ),
]
