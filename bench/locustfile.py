"""Locust users for bench/load.py: recruiters browsing, candidates opening links and booking.

Reads the fixture that bench/load.py writes (LOAD_FIXTURE: recruiter sign-in, application ids,
booking-link paths). Each user makes about one request a second, so the number of users is
the request rate. Requests are named by page, so the report gives figures per page.
"""

import json
import os
import random
import re

from locust import HttpUser, constant_throughput, task

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"]).read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM = re.compile(r'href="([^"]*/confirm/\?start=[^"]+)"')
HTMX = {"HX-Request": "true"}
BROWSE_BEFORE_BOOKING = 8  # of the book task's turns: about 40 s at one request a second


class Recruiter(HttpUser):
    weight = 2
    wait_time = constant_throughput(1)

    def on_start(self):
        page = self.client.get("/sign-in/", name="sign-in")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/sign-in/",
            {"csrfmiddlewaretoken": token, **FIXTURE["recruiter"]},
            headers={"Referer": self.host + "/sign-in/"},
            name="sign-in",
        )

    @task(3)
    def pipeline(self):
        self.client.get("/pipeline/", name="pipeline")

    @task(2)
    def pipeline_filtered(self):
        self.client.get(
            "/pipeline/",
            params={"state": "any", "sort": random.choice(["candidate", "-days", "activity"])},
            headers=HTMX,
            name="pipeline (htmx, filtered)",
        )

    @task(2)
    def candidate(self):
        self.client.get(f"/candidates/{random.choice(FIXTURE['candidates'])}/", name="candidate")

    @task(2)
    def picker(self):
        self.client.get(
            f"/applications/{random.choice(FIXTURE['applications'])}/schedule/",
            params={"week": FIXTURE["week"]},
            name="slot picker",
        )


class Candidate(HttpUser):
    weight = 3
    wait_time = constant_throughput(1)

    def on_start(self):
        self.link = FIXTURE["links"].pop() if FIXTURE["links"] else FIXTURE["spare_link"]
        self.booked = False
        self.seen = 0

    @task(1)
    def page(self):
        self.client.get(self.link + f"?tz={FIXTURE['zone']}", name="booking page")

    @task(4)
    def week(self):
        self.client.get(
            self.link,
            params={"tz": FIXTURE["zone"], "week": FIXTURE["week"]},
            headers=HTMX,
            name="booking slot fragment (htmx)",
        )

    @task(1)
    def book(self):
        # Candidates look around for a while first, so bookings fall after the ramp-up,
        # inside the measured time (bench/load.py counts from the end of the ramp).
        self.seen += 1
        if self.booked or self.seen < BROWSE_BEFORE_BOOKING:
            return
        week = self.client.get(
            self.link,
            params={"tz": FIXTURE["zone"], "week": FIXTURE["week"]},
            headers=HTMX,
            name="booking slot fragment (htmx)",
        )
        times = CONFIRM.findall(week.text)
        if not times:
            return
        confirm_url = random.choice(times).replace("&amp;", "&")
        with self.client.get(
            confirm_url, name="booking confirm (GET)", catch_response=True
        ) as confirm:
            # 409: the time was just taken by another candidate; fresh times are shown.
            if confirm.status_code == 409:
                confirm.success()
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.text)
        )
        if "csrfmiddlewaretoken" not in fields:
            return
        with self.client.post(
            confirm_url.split("?")[0],
            fields,
            headers={"Referer": self.host + confirm_url},
            name="booking confirm (POST)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            # 302: booked; 409: just taken by another candidate (fresh times): both correct.
            if response.status_code in (302, 303, 409):
                response.success()
                self.booked = response.status_code != 409
