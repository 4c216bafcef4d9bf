"""Demo proposals for Gemeente Voorbeeldland: realistic Dutch plans, some with drawn images,
supporters and reactions, in statuses that fit each demo round's phase.

Idempotent: a proposal with the same title in the same round is not made twice. Rounds that
do not exist are skipped. Flushes; the caller commits.

Rounds whose voting has started are rule-locked: the database refuses new proposals with the
status ``feasible`` (the ballot) there. For such rounds in voting/counting this seed only adds
what the lock allows (not-feasible and withdrawn plans); results rounds get their final statuses.
"""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from PIL import Image, ImageDraw

from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.images import process_image
from burgerbegroting.proposals.models import Comment, Proposal, ProposalEvent, ProposalImage, Support

DAY = dt.timedelta(days=1)

RESIDENTS = [
    ("fatima.elamrani@example.org", "Fatima el Amrani"),
    ("jan.devries@example.org", "Jan de Vries"),
    ("sanne.bakker@example.org", "Sanne Bakker"),
    ("mohamed.yilmaz@example.org", "Mohamed Yılmaz"),
    ("els.jansen@example.org", "Els Jansen"),
    ("kees.visser@example.org", "Kees Visser"),
    ("noor.smit@example.org", "Noor Smit"),
    ("pieter.mulder@example.org", "Pieter Mulder"),
]

# (title, summary, body, cost in euro, theme, picture or None)
IDEAS = [
    ("Bankjes langs de vijver", "Drie bankjes zodat ouderen onderweg kunnen rusten.",
     "Veel ouderen lopen dagelijks een rondje om de vijver. Er is nu nergens een plek om even te zitten.\n\n"
     "Wij stellen drie stevige houten bankjes voor, met armleuningen zodat opstaan makkelijker is.",
     6_500, "care", "bench"),
    ("Speeltuin opknappen bij de Lindelaan", "Nieuwe toestellen en een zachte ondergrond.",
     "De speeltuin is verouderd: de glijbaan is kapot en de zandbak wordt gebruikt door katten.\n\n"
     "Wij willen een klimtoestel, twee schommels en valdempende tegels. Ouders helpen met de opening.",
     28_000, "play", "playground"),
    ("Bloemrijke bermen", "Bermen inzaaien met inheemse bloemen voor bijen en vlinders.",
     "De bermen langs de Dorpsweg worden nu kort gemaaid. Met een bloemenmengsel en twee keer per jaar "
     "maaien krijgen bijen en vlinders weer voedsel.", 4_200, "green", "flowers"),
    ("Veilig oversteken bij de basisschool", "Een zebrapad met verlichting bij De Regenboog.",
     "Kinderen steken elke ochtend over op een drukke weg. Een verlicht zebrapad en een verkeersdrempel "
     "maken het oversteken veiliger.", 35_000, "traffic", None),
    ("Jeu de boules-baan bij het dorpshuis", "Een baan waar jong en oud elkaar ontmoeten.",
     "Een jeu de boules-baan naast het dorpshuis brengt mensen samen. De buurtvereniging zorgt voor "
     "de ballen en het onderhoud.", 7_800, "sport", None),
    ("Buurtmoestuin", "Een gezamenlijke moestuin op het braakliggende veldje.",
     "Op het veldje achter de flat kunnen bewoners samen groenten kweken. Nodig: hek, bakken, "
     "regenton en een gereedschapskist.", 9_500, "green", "garden"),
    ("Openbare watertappunt", "Gratis drinkwater bij het sportveld.",
     "Sporters en wandelaars kunnen hun fles vullen. Minder plastic flessen, meer gezondheid.",
     5_400, "sustainability", None),
    ("Zonnepanelen op het dorpshuis", "Het dorpshuis wekt zijn eigen stroom op.",
     "Met 24 zonnepanelen bespaart het dorpshuis jaarlijks ruim € 2.000 aan energie. Dat geld gaat naar "
     "activiteiten.", 18_000, "sustainability", None),
    ("Extra straatverlichting in het Wilgenpad", "Het pad is 's avonds donker en voelt onveilig.",
     "Vier lantaarnpalen met zuinige ledlampen maken het fietspad naar het station veiliger.",
     14_000, "safety", None),
    ("Hondenlosloopveld", "Een omheind veld waar honden vrij kunnen rennen.",
     "Nu lopen honden los in het park, tot ergernis van anderen. Een omheind veld lost dat op.",
     12_500, "other", None),
    ("Kunstwerk bij de rotonde", "Een kunstwerk van lokale kunstenaars als welkom in het dorp.",
     "Lokale kunstenaars maken samen met de basisschool een kunstwerk van hergebruikt materiaal.",
     15_000, "culture", None),
    ("Pannaveld bij de Esdoornstraat", "Een klein voetbalveldje met boarding.",
     "Jongeren hebben weinig plek om te voetballen. Een pannaveld is klein en stevig.",
     32_000, "sport", "playground"),
    ("Fietsenstalling bij de bushalte", "Overdekte stalling voor 30 fietsen.",
     "Wie met de bus verder reist, kan zijn fiets nu nergens droog en veilig kwijt.",
     11_000, "traffic", None),
    ("Bomen in de Kerkstraat", "Acht nieuwe bomen voor schaduw en minder hittestress.",
     "De Kerkstraat is in de zomer erg warm. Bomen geven schaduw en vangen regenwater op.",
     16_000, "green", "tree"),
    ("Ontmoetingsbank met tafel", "Een picknicktafel bij de speelweide.",
     "Een rolstoeltoegankelijke picknicktafel waar buren samen kunnen eten en praten.",
     3_200, "care", "bench"),
    ("AED in de Molenwijk", "Een hartstartkast die dag en nacht bereikbaar is.",
     "De dichtstbijzijnde AED hangt nu op 1,2 kilometer. Twintig buurtbewoners willen de cursus volgen.",
     2_900, "safety", None),
    ("Zomerfestival op het plein", "Een gratis festival met muziek van lokale bands.",
     "Eén dag muziek, eten en spelletjes voor het hele dorp. Vrijwilligers organiseren het.",
     8_500, "culture", None),
    ("Wandelroute met informatiebordjes", "Een rondje langs de geschiedenis van het dorp.",
     "Tien bordjes vertellen over de molen, de oude school en de dijk. Met QR-code naar verhalen.",
     6_000, "culture", None),
    ("Insectenhotels in het park", "Vijf insectenhotels gemaakt door de scouting.",
     "De scouting bouwt de hotels; het geld is voor hout, bamboe en de palen.", 1_800, "green", "flowers"),
    ("Beweegtoestellen voor ouderen", "Een beweegtuin bij het woonzorgcentrum.",
     "Eenvoudige toestellen om balans en kracht te oefenen, met begeleiding van de fysiotherapeut.",
     22_000, "sport", None),
    ("Parkeerplaatsen voor deelauto's", "Twee vaste plekken voor elektrische deelauto's.",
     "Met deelauto's hebben minder huishoudens een tweede auto nodig. Dat scheelt parkeerruimte.",
     9_000, "sustainability", None),
    ("Skatebaan", "Een kleine skatebaan voor de jeugd.",
     "Jongeren hebben een plan getekend met een quarterpipe en rails. Zij helpen bij het ontwerp.",
     45_000, "sport", None),
    ("Verkeersdrempels in de Schoolstraat", "Auto's rijden hier veel te hard.",
     "Metingen van de buurtapp laten zien dat de helft te hard rijdt. Twee drempels helpen.",
     19_000, "traffic", None),
    ("Repair café", "Gereedschap en materiaal voor een maandelijks repair café.",
     "Vrijwilligers repareren samen met bewoners kapotte spullen. Minder afval, meer contact.",
     2_400, "sustainability", None),
]

COMMENTS = [
    "Goed idee! Ik wandel hier elke dag en mis dit echt.",
    "Wie gaat het onderhoud betalen? Dat zou ik graag in het plan lezen.",
    "Ik help graag mee met de uitvoering.",
    "Kan dit ook een beetje dichter bij de school?",
    "Eindelijk! Hier wordt al jaren over gepraat.",
]
REPLIES = [
    "Het onderhoud doet de buurtvereniging, dat staat in de beschrijving.",
    "Dank je, ik neem contact met je op!",
]

# Statuses per phase, as a repeating pattern; the review demo adds verdicts and reasons.
PATTERN = {
    Phase.IDEAS: ["published", "published", "published", "published", "draft", "withdrawn"],
    Phase.REVIEW: ["published", "published", "in_review", "published", "not_enough_support", "withdrawn"],
    Phase.VOTING: ["feasible", "feasible", "not_feasible", "feasible", "withdrawn", "feasible"],
    Phase.COUNTING: ["feasible", "feasible", "not_feasible", "feasible", "withdrawn"],
    Phase.RESULTS: ["selected", "not_selected", "selected", "not_feasible", "not_selected"],
    Phase.IMPLEMENTATION: ["in_progress", "done", "not_selected", "not_feasible", "in_progress"],
}
PER_ROUND = {
    "wijkbudgetten-2027": 20,
    "dorpsbudgetten-noord-2027": 8,
    "stadsdeelbudget-zuid-2026": 12,
    "buurtbudget-oosterveld-2026": 6,
    "jongerenbudget-havenkwartier-2026": 6,
    "dorpsbudget-westerpolder-2026": 6,
    "initiatievenpotje-2026": 3,
    "kernenbudget-2025": 8,
    "burgerbegroting-2026": 6,
}
# The path a proposal took to reach its status (for the public history).
PATHS = {
    "draft": [],
    "published": ["published"],
    "withdrawn": ["published", "withdrawn"],
    "in_review": ["published", "in_review"],
    "not_enough_support": ["published", "not_enough_support"],
    "not_feasible": ["published", "not_feasible"],
    "feasible": ["published", "feasible"],
    "selected": ["published", "feasible", "selected"],
    "not_selected": ["published", "feasible", "not_selected"],
    "in_progress": ["published", "feasible", "selected", "in_progress"],
    "done": ["published", "feasible", "selected", "in_progress", "done"],
}


def draw_picture(kind: str, seed: int) -> bytes:
    """A simple drawn picture (no downloads): sky, grass and a subject."""
    picture = Image.new("RGB", (800, 500), (135, 190, 235))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 330, 800, 500), fill=(90, 160, 70))
    draw.ellipse((640 - seed % 5 * 20, 40, 720 - seed % 5 * 20, 120), fill=(250, 215, 70))
    if kind == "bench":
        draw.rectangle((250, 330, 550, 350), fill=(120, 80, 40))
        draw.rectangle((250, 280, 550, 300), fill=(120, 80, 40))
        for x in (270, 520):
            draw.rectangle((x, 350, x + 12, 400), fill=(60, 60, 60))
    elif kind == "playground":
        draw.line((200, 420, 300, 180, 400, 420), fill=(200, 40, 40), width=12)
        draw.line((300, 180, 300, 400), fill=(90, 90, 90), width=4)
        draw.rectangle((285, 380, 315, 392), fill=(30, 60, 160))
        draw.polygon([(450, 420), (600, 260), (630, 260), (500, 420)], fill=(240, 160, 30))
    elif kind == "flowers":
        for n in range(40):
            x, y = (n * 97 + seed * 13) % 780 + 10, 350 + (n * 37) % 130
            colour = [(230, 60, 90), (250, 220, 50), (150, 80, 200), (255, 255, 255)][n % 4]
            draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=colour)
    elif kind == "garden":
        for n in range(4):
            draw.rectangle((80 + n * 170, 360, 220 + n * 170, 440), fill=(110, 70, 40))
            for k in range(5):
                draw.ellipse((95 + n * 170 + k * 25, 340, 115 + n * 170 + k * 25, 365), fill=(40, 130, 40))
    else:  # tree
        draw.rectangle((380, 250, 420, 420), fill=(100, 65, 30))
        draw.ellipse((290, 110, 510, 300), fill=(40, 120, 50))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


ALT_TEXTS = {
    "bench": "Tekening van een houten bankje op het gras",
    "playground": "Tekening van een schommel en een glijbaan",
    "flowers": "Tekening van een berm vol gekleurde bloemen",
    "garden": "Tekening van moestuinbakken met groene planten",
    "tree": "Tekening van een boom in de straat",
}


def _residents(now: dt.datetime) -> list[User]:
    from burgerbegroting.auth.passwords import hash_password
    from burgerbegroting.demo import DEMO_PASSWORD

    users: list[User] = []
    hashed: str | None = None
    for email, name in RESIDENTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            hashed = hashed or hash_password(DEMO_PASSWORD)
            user = User(email=email, name=name, password_hash=hashed, locale="nl", email_confirmed_at=now)
            user.roles.append(UserRole(role="resident"))
            db.session.add(user)
        users.append(user)
    resident = db.session.scalar(sa.select(User).where(User.email == "bewoner@example.org"))
    if resident is not None:
        users.insert(0, resident)
    db.session.flush()
    return users


def _phase_start(round_: Round, phase: Phase, fallback: dt.datetime) -> dt.datetime:
    window = round_.window(phase)
    return window.starts_at if window is not None else fallback


def _make(round_: Round, n: int, idea: tuple, status: str, author: User, now: dt.datetime) -> Proposal | None:
    title, summary, body, euros, theme, picture = idea
    district = round_.districts[n % len(round_.districts)]
    cost = euros * 100
    if district.budget_cents:
        cost = min(cost, district.budget_cents * 8 // 10)
    ideas_start = _phase_start(round_, Phase.IDEAS, now - 30 * DAY)
    published = min(ideas_start + (n % 9 + 1) * DAY, now - DAY)
    proposal = Proposal(round_id=round_.id, district_id=district.id, author_id=author.id, title=title,
                        summary=summary, body=body, cost_cents=cost, theme=theme, status=status,
                        address="" if n % 3 else f"{['Dorpsstraat', 'Kerkplein', 'Lindelaan'][n % 3]} {n + 1}",
                        created_at=published - DAY, published_at=None if status == "draft" else published)
    if n % 4 == 1:
        proposal.latitude, proposal.longitude = 52.09 + n / 1000, 5.12 + n / 1000
    proposal.history.append(ProposalEvent(kind="cost", cost_cents=cost, source="author", at=published - DAY))
    previous = "draft"
    for k, step in enumerate(PATHS[status]):
        proposal.history.append(ProposalEvent(kind="status", from_status=previous, to_status=step,
                                              at=published + k * 7 * DAY if k else published))
        previous = step
    if picture:
        processed = process_image(draw_picture(picture, n))
        proposal.images.append(ProposalImage(position=0, content_type=processed.content_type, data=processed.data,
                                             width=processed.width, height=processed.height,
                                             alt_text=ALT_TEXTS[picture], sha256=processed.sha256))
    try:
        with db.session.begin_nested():
            db.session.add(proposal)
    except sa.exc.DBAPIError:
        return None  # refused by the rule lock (or another database rule): leave it out
    return proposal


def seed_demo(now: dt.datetime) -> int:
    """Add demo proposals to the demo rounds that exist; returns how many were added."""
    users = _residents(now)
    added = 0
    for slug, how_many in PER_ROUND.items():
        round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug))
        if round_ is None or not round_.districts:
            continue
        phase = round_.phase_at(now)
        pattern = PATTERN.get(phase)
        if pattern is None:
            continue
        existing = set(db.session.scalars(sa.select(Proposal.title).where(Proposal.round_id == round_.id)))
        offset = sum(ord(c) for c in slug) % len(IDEAS)
        for n in range(how_many):
            idea = IDEAS[(offset + n) % len(IDEAS)]
            if idea[0] in existing:
                continue
            status = pattern[n % len(pattern)]
            author = users[(n + 1) % len(users)]
            if status == "draft" and users[0].email == "bewoner@example.org":
                author = users[0]  # the demo resident has a draft to try editing
            proposal = _make(round_, n, idea, status, author, now)
            if proposal is None:
                continue
            added += 1
            _supports_and_comments(proposal, n, users, phase, round_, now)
    db.session.flush()
    return added


def _supports_and_comments(proposal: Proposal, n: int, users: list[User], phase: Phase, round_: Round,
                           now: dt.datetime) -> None:
    if proposal.status == "draft":
        return
    supporters = [u for u in users[1:] if u.id != proposal.author_id][: (n * 3) % 7 + 1]
    if phase == Phase.IDEAS and n % 5 == 0:
        supporters = supporters[:1]  # some plans still need support
    for user in supporters:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id, created_at=now - (n % 5 + 1) * DAY))
    if not round_.comments_enabled or n % 2:
        return
    writer = users[(n + 3) % len(users)]
    top = Comment(proposal_id=proposal.id, author_id=writer.id, body=COMMENTS[n % len(COMMENTS)],
                  created_at=now - 3 * DAY)
    db.session.add(top)
    db.session.flush()
    if n % 4 == 0:
        db.session.add(Comment(proposal_id=proposal.id, parent_id=top.id, author_id=proposal.author_id,
                               body=REPLIES[n % len(REPLIES)], created_at=now - 2 * DAY))
