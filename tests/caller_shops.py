"""Shops for judging the brain on callers it was never tuned on.

Two groups, kept apart on purpose:

* ``HELDOUT_SHOPS`` (a toy shop, an art & craft supplies shop, a bed & bath
  shop) carry ``bench/data/callers_heldout.jsonl``. They were written before
  any tuning of the brain and are only ever measured, never tuned on: no
  line of that file goes into the NLU's training data, and no rule in the
  brain is shaped to their products.
* ``DEV_SHOPS`` (a cookware shop and a hardware store) carry the
  development set (``bench/data/callers_dev.jsonl``) and the spoken
  regression suite: tuning looks at these. ``TUNING_SHOPS`` adds the shops
  issue 23 tunes on as well: a music shop, an outdoor and camping shop and a
  fitness shop (gym and home-workout equipment, sports nutrition, apparel).

Every shop has customers set up for the situations callers bring: an order
shipped but past its delivery date, a delayed order, an order arriving
soon, a delivered order (returns, damage), a consumable bought long ago (the
greeting offers a reorder). Today is 2026-11-24 (``shopbuilder``'s date).
"""

from __future__ import annotations

from shopbuilder import ShopRows

# --- held-out: a toy shop ------------------------------------------------------------
TOY_PRODUCTS = [
    ("TOY-01", "Wooden Train Set 52 Pieces", "trains & vehicles", "64.00",
     "A beechwood train set with bridges, a tunnel and two magnetic engines. For ages 3 and up.",
     "train;wooden;railway;toddler", "14"),
    ("TOY-02", "Remote Control Monster Truck", "trains & vehicles", "48.50",
     "An off-road RC truck with big rubber tyres, 2.4 GHz remote and a rechargeable battery.",
     "rc car;remote control;truck;outdoor", "9"),
    ("TOY-03", "Coding Robot Kit", "science", "89.00",
     "Build a small robot and program it with coloured cards or a tablet app. Ages 8 and up.",
     "robot;coding;stem;programmable", "6"),
    ("TOY-04", "Kids Microscope with 40 Slides", "science", "39.95",
     "A real optical microscope with LED light, 40 prepared slides and a carry case.",
     "microscope;science;biology", "0"),
    ("TOY-05", "Giant Floor Puzzle Ocean 48 Pieces", "puzzles & games", "22.00",
     "Big sturdy pieces make a three-foot ocean scene with whales and turtles.",
     "jigsaw;puzzle;floor puzzle;ocean", "30"),
    ("TOY-06", "Family Strategy Board Game", "puzzles & games", "34.00",
     "A trading and building board game for two to five players, about an hour a game.",
     "board game;strategy;family game", "18"),
    ("TOY-07", "Plush Sloth 40 cm", "plush", "26.00",
     "A very soft, machine-washable plush sloth with long hugging arms.",
     "stuffed animal;soft toy;teddy;sloth", "25"),
    ("TOY-08", "Kaleidoscope Classic Brass", "classics", "18.00",
     "A brass kaleidoscope with a turning wheel of coloured glass.",
     "kaleidoscope;classic;optical", "11"),
    ("TOY-09", "Rechargeable AA Batteries 8-Pack", "accessories", "19.99",
     "Eight rechargeable AA batteries for remote controls and electronic toys; each lasts about 500 charges.",
     "batteries;aa;rechargeable;consumable", "40"),
    ("TOY-10", "Modeling Dough 12 Colors", "arts for kids", "14.00",
     "Twelve tubs of soft, non-toxic modeling dough that keeps for about two months once opened.",
     "play dough;dough;clay;consumable", "50"),
    ("TOY-11", "Diamond Kite with Tail", "outdoor play", "16.50",
     "An easy-flying nylon diamond kite with a long rainbow tail and 50 metres of line.",
     "kite;outdoor;beach;wind", "20"),
    ("TOY-12", "Dollhouse Three Storey", "dolls", "129.00",
     "A wooden three-storey dollhouse with 15 pieces of furniture and working lights.",
     "doll house;dolls;wooden;furniture", "3"),
]  # fmt: skip
TOY_CUSTOMERS = [
    ("K1", "Ana Perez", "", ""),
    ("K2", "Tom Becker", "", ""),
    ("K3", "Grace Liu", "", ""),
    ("K4", "Omar Haddad", "", ""),
    ("K5", "Nina Novak", "", ""),
]
TOY_ORDERS = [
    # K1: shipped, due last Friday: running late
    ("4572", "K1", "TOY-01", "1", "shipped", "2026-11-14", "2026-11-20"),
    ("3019", "K1", "TOY-07", "1", "delivered", "2026-10-02", "2026-10-06"),
    # K2: delayed, new date next week
    ("6610", "K2", "TOY-03", "1", "delayed", "2026-11-10", "2026-12-01"),
    # K3: delivered a week ago (returns, damage), plus one arriving soon
    ("2281", "K3", "TOY-06", "1", "delivered", "2026-11-12", "2026-11-17"),
    ("2290", "K3", "TOY-11", "2", "shipped", "2026-11-21", "2026-11-26"),
    # K4: batteries bought long ago: the greeting offers a reorder
    ("1745", "K4", "TOY-09", "1", "delivered", "2026-06-01", "2026-06-05"),
    ("1746", "K4", "TOY-10", "1", "delivered", "2026-08-01", "2026-08-04"),
    # K5: processing
    ("8804", "K5", "TOY-12", "1", "processing", "2026-11-23", "2026-12-02"),
]
TOY_FAQ = [
    ("How much is shipping?",
     "Shipping is a flat $6.95, and free on orders over $75."),
    ("How long does delivery take?", "Orders arrive in 3 to 6 business days."),
    ("What is your return policy?",
     "Unopened toys can be returned within 45 days for a full refund."),
    ("Do you offer gift wrapping?", "Yes, gift wrap is $3.50 per item and includes a card."),
    ("What payment methods do you take?", "We take all major cards, PayPal and gift cards."),
    ("Are your toys safety tested?",
     "Every toy we sell meets the US toy safety standard ASTM F963."),
    ("Do you have a store I can visit?",
     "Our shop is at 12 Mill Street, open 10 AM to 6 PM every day except Monday."),
    ("Do you sell gift cards?", "Yes, in any amount from $10 to $200."),
]  # fmt: skip
TOY_SHOP = ShopRows(TOY_CUSTOMERS, TOY_PRODUCTS, TOY_ORDERS, TOY_FAQ)

# --- held-out: an art & craft supplies shop -----------------------------------------
CRAFT_PRODUCTS = [
    ("CR-P1", "Acrylic Paint Set 24 Colors", "paint", "32.00",
     "Twenty-four 22 ml tubes of fast-drying acrylic paint for canvas, wood and paper.",
     "acrylic;paint;colors", "35"),
    ("CR-P2", "Watercolor Paint Pan Set 36", "paint", "44.00",
     "A tin of 36 artist-grade watercolor pans with a water brush.",
     "watercolor;paint;travel", "12"),
    ("CR-B1", "Synthetic Brush Set 15 Pieces", "brushes", "18.50",
     "Fifteen synthetic brushes, round, flat and filbert, for acrylic, oil and watercolor.",
     "brushes;paintbrush", "40"),
    ("CR-S1", "Spiral Sketchbook A4 100 Sheets", "paper", "12.00",
     "Heavyweight acid-free drawing paper in a spiral-bound A4 sketchbook.",
     "sketchbook;drawing;paper;sketch pad;consumable", "60"),
    ("CR-S2", "Stretched Canvas 5-Pack 16x20", "paper", "38.00",
     "Five primed cotton canvases stretched on pine frames, 16 by 20 inches.",
     "canvas;painting", "8"),
    ("CR-E1", "Beechwood Table Easel", "easels", "54.00",
     "A foldable tabletop easel that holds canvases up to 24 inches, with a storage drawer.",
     "easel;tabletop;wooden", "5"),
    ("CR-E2", "Aluminum Field Easel", "easels", "69.00",
     "A lightweight tripod easel for painting outdoors, with telescopic legs and a carry bag.",
     "easel;outdoor;plein air;tripod", "0"),
    ("CR-Y1", "Merino Wool Yarn Bundle 6 Skeins", "knitting", "42.00",
     "Six 100 g skeins of soft merino yarn in muted colours for sweaters and scarves.",
     "yarn;wool;merino;knitting;consumable", "20"),
    ("CR-Y2", "Bamboo Knitting Needles Set", "knitting", "24.00",
     "Eighteen pairs of smooth bamboo knitting needles in sizes 2 to 10 mm.",
     "knitting needles;bamboo", "15"),
    ("CR-G1", "Cordless Hot Glue Gun", "tools", "29.00",
     "A rechargeable mini glue gun that heats up in 60 seconds, with 30 glue sticks.",
     "glue gun;hot glue;crafts", "22"),
    ("CR-C1", "Cutting Mat A2 Self-Healing", "tools", "21.00",
     "A self-healing cutting mat with grid lines for craft knives and rotary cutters.",
     "cutting mat;self healing", "17"),
    ("CR-M1", "Sewing Machine Compact 30 Stitch", "sewing", "179.00",
     "A compact computerised sewing machine with 30 stitches and an automatic needle threader.",
     "sewing machine;sewing;stitch", "4"),
]  # fmt: skip
CRAFT_CUSTOMERS = [
    ("A-11", "Helen Brooks", "", ""),
    ("A-12", "Marco Silva", "", ""),
    ("A-13", "Ruth Adler", "", ""),
    ("A-14", "Ken Sato", "", ""),
]
CRAFT_ORDERS = [
    # Helen: shipped, overdue
    ("CR-2231", "A-11", "CR-E1", "1", "shipped", "2026-11-12", "2026-11-19"),
    ("CR-2232", "A-11", "CR-B1", "1", "shipped", "2026-11-12", "2026-11-19"),
    # Marco: delayed, no new date
    ("CR-2250", "A-12", "CR-M1", "1", "delayed", "2026-11-05", ""),
    # Ruth: delivered recently
    ("CR-2199", "A-13", "CR-P1", "1", "delivered", "2026-11-08", "2026-11-13"),
    # Ken: sketchbooks, bought long ago: reorder offer
    ("CR-1804", "A-14", "CR-S1", "2", "delivered", "2026-05-20", "2026-05-24"),
]
CRAFT_FAQ = [
    ("How much does shipping cost?", "Standard shipping is $4.95. Orders over $60 ship free."),
    ("How long does shipping take?", "Most orders arrive within 2 to 5 business days."),
    ("What is your return policy?",
     "Unused supplies can be returned within 30 days. Opened paint and cut fabric can't be returned."),
    ("Do you run classes?",
     "Yes, we hold painting and knitting classes on Saturday mornings at our studio. Book in store or by phone."),
    ("Do you offer a student discount?", "Students get 10% off with a valid student ID."),
    ("Which payment methods are accepted?", "Visa, Mastercard, American Express and PayPal."),
    ("Are your paints non-toxic?", "All our paints are labelled non-toxic (ASTM D-4236)."),
    ("Can I pick up my order in store?",
     "Yes, choose store pickup at checkout; orders are ready within two hours."),
]  # fmt: skip
CRAFT_SHOP = ShopRows(CRAFT_CUSTOMERS, CRAFT_PRODUCTS, CRAFT_ORDERS, CRAFT_FAQ)

# --- held-out: a bed & bath shop ---------------------------------------------------------
BED_PRODUCTS = [
    ("BB-101", "Down Alternative Duvet Queen", "bedding", "119.00",
     "An all-season queen duvet with a hypoallergenic down-alternative fill and a cotton shell.",
     "duvet;comforter;queen;hypoallergenic", "16"),
    ("BB-102", "Weighted Blanket 15 lb", "bedding", "139.00",
     "A 15-pound glass-bead weighted blanket with a removable minky cover, for deeper sleep.",
     "weighted blanket;blanket;sleep", "7"),
    ("BB-103", "Memory Foam Pillow", "pillows", "49.00",
     "A contoured memory foam pillow that supports the neck for side and back sleepers.",
     "pillow;memory foam;neck", "30"),
    ("BB-104", "Linen Sheet Set Queen", "bedding", "159.00",
     "Stonewashed French linen sheets: fitted sheet, flat sheet and two pillowcases.",
     "sheets;linen;queen;sheet set", "0"),
    ("BB-105", "Mattress Topper 3 Inch", "bedding", "189.00",
     "A 3-inch gel memory foam mattress topper that cools and softens a firm bed.",
     "mattress topper;topper;memory foam", "5"),
    ("BB-201", "Turkish Cotton Bath Towel Set", "bath", "64.00",
     "Two bath towels, two hand towels and two washcloths in thick Turkish cotton.",
     "towels;bath towel;cotton", "24"),
    ("BB-202", "Waffle Bathrobe", "bath", "58.00",
     "A lightweight waffle-weave cotton bathrobe with pockets, one size.",
     "robe;bathrobe;dressing gown", "13"),
    ("BB-203", "Fabric Shower Curtain", "bath", "29.00",
     "A water-repellent fabric shower curtain, 72 by 72 inches, machine washable.",
     "shower curtain;curtain;bathroom", "19"),
    ("BB-204", "Bath Mat Memory Foam", "bath", "24.00",
     "A non-slip memory foam bath mat that dries quickly.",
     "bath mat;rug;non slip", "26"),
    ("BB-301", "Lavender Pillow Mist", "sleep aids", "16.00",
     "A calming lavender linen and pillow spray; one bottle lasts about six weeks.",
     "lavender;spray;pillow mist;sleep;consumable", "45"),
    ("BB-302", "Silk Sleep Mask", "sleep aids", "22.00",
     "A mulberry silk eye mask with an adjustable strap that blocks the light.",
     "eye mask;sleep mask;silk", "38"),
    ("BB-303", "White Noise Machine", "sleep aids", "45.00",
     "A compact sound machine with 20 soothing sounds and a timer.",
     "sound machine;white noise;sleep", "10"),
]  # fmt: skip
BED_CUSTOMERS = [
    ("B100", "Linda Moore", "", ""),
    ("B200", "Paul Wright", "", ""),
    ("B300", "Sara Cohen", "", ""),
    ("B400", "Ivan Petrov", "", ""),
]
BED_ORDERS = [
    # Linda: shipped, overdue since Saturday
    ("88120", "B100", "BB-101", "1", "shipped", "2026-11-15", "2026-11-21"),
    ("88121", "B100", "BB-103", "2", "shipped", "2026-11-15", "2026-11-21"),
    # Paul: delayed with a new date
    ("88200", "B200", "BB-102", "1", "delayed", "2026-11-09", "2026-11-30"),
    ("87011", "B200", "BB-203", "1", "delivered", "2026-09-01", "2026-09-05"),
    # Sara: delivered (returns), and one arriving tomorrow
    ("88050", "B300", "BB-201", "1", "delivered", "2026-11-10", "2026-11-16"),
    ("88150", "B300", "BB-303", "1", "shipped", "2026-11-20", "2026-11-25"),
    # Ivan: pillow mist bought long ago: reorder offer
    ("86001", "B400", "BB-301", "1", "delivered", "2026-08-10", "2026-08-14"),
]
BED_FAQ = [
    ("Do you charge for shipping?", "Shipping is free on every order over $50; below that it's $7."),
    ("When will my order arrive?", "Orders usually arrive 4 to 7 business days after you order."),
    ("What is your return policy?",
     "You can return unwashed items within 60 days. Our mattress toppers have a 100-night trial."),
    ("Can I wash the weighted blanket?",
     "Wash the cover on a gentle cycle; the inner blanket should be spot cleaned only."),
    ("Do you offer gift wrapping?", "Gift boxing is free on every order, just ask at checkout."),
    ("Do you accept PayPal?", "Yes, we accept PayPal as well as all major credit cards."),
    ("Where are your products made?",
     "Our linens come from mills in Portugal and Turkey; the foam is made in the USA."),
    ("Do you have a warranty?", "Pillows and toppers carry a five-year warranty against sagging."),
]  # fmt: skip
BED_SHOP = ShopRows(BED_CUSTOMERS, BED_PRODUCTS, BED_ORDERS, BED_FAQ)

HELDOUT_SHOPS: dict[str, ShopRows] = {"toys": TOY_SHOP, "crafts": CRAFT_SHOP, "bedbath": BED_SHOP}

# --- development: a cookware shop ------------------------------------------------------
COOK_PRODUCTS = [
    ("HK-01", "Electric Kettle 1.7 L", "appliances", "39.00",
     "A stainless steel kettle that boils 1.7 litres in four minutes, with auto shut-off.",
     "kettle;electric kettle;tea", "20"),
    ("HK-02", "Santoku Knife 7 Inch", "knives", "59.00",
     "A Japanese-style santoku knife with a hollow-edge blade for slicing vegetables.",
     "santoku;knife;japanese", "12"),
    ("HK-03", "Air Fryer 5 Quart", "appliances", "99.00",
     "A five-quart air fryer that crisps with little or no oil, with eight presets.",
     "air fryer;fryer;crispy", "8"),
    ("HK-04", "Rice Cooker 6 Cup", "appliances", "69.00",
     "A fuzzy-logic rice cooker for white rice, brown rice and porridge, keeps warm for 12 hours.",
     "rice cooker;rice", "0"),
    ("HK-05", "Cast Iron Skillet 10 Inch", "cookware", "34.00",
     "A pre-seasoned cast iron skillet that goes from stove to oven.",
     "skillet;frying pan;cast iron", "25"),
    ("HK-06", "Insulated Thermos 750 ml", "drinkware", "27.00",
     "A vacuum thermos that keeps drinks hot for 12 hours and cold for 24.",
     "thermos;flask;insulated", "30"),
    ("HK-07", "Drip Coffee Maker 12 Cup", "appliances", "79.00",
     "A programmable twelve-cup drip coffee maker with a glass carafe.",
     "coffee maker;coffee machine;drip", "10"),
    ("HK-08", "Blender 1000 W", "appliances", "89.00",
     "A 1000-watt countertop blender for smoothies, soups and crushed ice.",
     "blender;smoothie", "6"),
    ("HK-09", "Toaster 2 Slice", "appliances", "35.00",
     "A two-slice toaster with wide slots, bagel mode and six browning levels.",
     "toaster;bagel", "14"),
    ("HK-10", "Paper Coffee Filters", "coffee", "6.50",
     "Two hundred unbleached paper filters for 8 to 12 cup drip machines; a pack lasts about three months.",
     "filters;coffee filters;consumable", "80"),
    ("HK-11", "Robot Vacuum Cleaner", "cleaning", "249.00",
     "A slim robot vacuum that maps your rooms and empties itself.",
     "robot vacuum;vacuum;cleaning", "4"),
]  # fmt: skip
COOK_CUSTOMERS = [
    ("H1", "Dana White", "", ""),
    ("H2", "Felix Grant", "", ""),
    ("H3", "Mia Torres", "", ""),
    ("H4", "Raj Mehta", "", ""),
]
COOK_ORDERS = [
    ("7311", "H1", "HK-08", "1", "shipped", "2026-11-13", "2026-11-19"),  # overdue
    ("7420", "H2", "HK-03", "1", "delayed", "2026-11-08", "2026-12-03"),
    ("7205", "H3", "HK-06", "1", "delivered", "2026-11-02", "2026-11-06"),
    ("7440", "H3", "HK-01", "1", "shipped", "2026-11-22", "2026-11-26"),
    ("6900", "H4", "HK-10", "1", "delivered", "2026-06-10", "2026-06-14"),  # reorder
]
COOK_FAQ = [
    ("How much is shipping?", "Shipping is $5.95, free on orders over $49."),
    ("How long does shipping take?", "Orders arrive in 2 to 4 business days."),
    ("What is your return policy?", "Unused items can be returned within 30 days for a refund."),
    ("Do you offer gift wrapping?", "Yes, gift wrapping is $4 per order."),
    ("What payment methods do you accept?", "All major credit cards, PayPal and Apple Pay."),
    ("Do your appliances have a warranty?", "Every appliance has a two-year warranty."),
    (
        "Can I change my delivery address?",
        "You can change the address until your order ships; after that we can't redirect it.",
    ),
]
COOK_SHOP = ShopRows(COOK_CUSTOMERS, COOK_PRODUCTS, COOK_ORDERS, COOK_FAQ)

# --- development: a hardware store ------------------------------------------------------
HW_PRODUCTS = [
    ("HW-1", "Cordless Drill 20V", "power tools", "129.00",
     "A 20-volt cordless drill driver with two batteries, a charger and a case.",
     "drill;cordless;power tool", "9"),
    ("HW-2", "Claw Hammer 16 oz", "hand tools", "19.00",
     "A fibreglass-handled claw hammer with a non-slip grip.",
     "hammer;claw hammer", "40"),
    ("HW-3", "Tape Measure 25 ft", "hand tools", "14.00",
     "A 25-foot tape measure with a magnetic tip and belt clip.",
     "tape measure;measuring", "55"),
    ("HW-4", "Wet Dry Shop Vacuum 6 Gallon", "cleaning", "99.00",
     "A six-gallon wet and dry shop vac for workshops and garages.",
     "shop vac;vacuum;wet dry", "0"),
    ("HW-5", "Extension Ladder 20 ft", "ladders", "219.00",
     "An aluminium extension ladder that reaches 20 feet, rated for 250 pounds.",
     "ladder;extension ladder", "3"),
    ("HW-6", "Wood Screws Assortment 500", "fasteners", "16.00",
     "Five hundred zinc-plated wood screws in ten sizes, in a sorted case.",
     "screws;wood screws;fasteners;consumable", "70"),
    ("HW-7", "Interior Paint Gallon Eggshell", "paint", "38.00",
     "A gallon of low-odour interior eggshell paint that covers about 400 square feet.",
     "paint;interior;eggshell;consumable", "25"),
    ("HW-8", "Stud Finder", "hand tools", "24.00",
     "An electronic stud finder that detects wood, metal and live wires.",
     "stud finder;detector", "18"),
]  # fmt: skip
HW_CUSTOMERS = [
    ("W1", "Joe Rivera", "", ""),
    ("W2", "Kim Nguyen", "", ""),
    ("W3", "Al Baker", "", ""),
]
HW_ORDERS = [
    ("55102", "W1", "HW-1", "1", "shipped", "2026-11-14", "2026-11-20"),  # overdue
    ("55120", "W2", "HW-5", "1", "delayed", "2026-11-06", ""),
    ("54980", "W3", "HW-6", "2", "delivered", "2026-07-01", "2026-07-05"),  # reorder
]
HW_FAQ = [
    ("Do you charge for delivery?", "Delivery is free over $99, otherwise $8.99."),
    ("Do you cut keys?", "Yes, we cut keys in store while you wait for $3 each."),
    ("What is your return policy?", "Return unused tools within 90 days with the receipt."),
    (
        "What are your opening hours?",
        "We're open 7 AM to 7 PM Monday to Saturday, 9 to 5 on Sunday.",
    ),
    ("Do you rent tools?", "We rent larger tools like floor sanders and tile saws by the day."),
]
HW_SHOP = ShopRows(HW_CUSTOMERS, HW_PRODUCTS, HW_ORDERS, HW_FAQ)

# --- development: a music shop ------------------------------------------------------------
MUSIC_PRODUCTS = [
    ("MU-1", "Acoustic Guitar Dreadnought", "guitars", "249.00",
     "A solid spruce top dreadnought guitar with a warm, full sound.", "guitar;acoustic", "6"),
    ("MU-2", "Ukulele Soprano Mahogany", "ukuleles", "59.00",
     "A mahogany soprano ukulele with Aquila strings and a gig bag.", "ukulele;uke", "14"),
    ("MU-3", "Digital Piano 88 Keys", "keyboards", "499.00",
     "A digital piano with 88 weighted hammer-action keys and headphone output.",
     "piano;keyboard;digital piano", "2"),
    ("MU-4", "Guitar Strings Light Gauge", "accessories", "9.50",
     "Phosphor bronze acoustic strings, light gauge; a set lasts about two months of daily play.",
     "strings;guitar strings;consumable", "80"),
    ("MU-5", "Clip-On Tuner", "accessories", "15.00",
     "A clip-on chromatic tuner for guitar, bass, ukulele and violin.", "tuner;clip on", "40"),
    ("MU-6", "Metronome Classic", "accessories", "29.00",
     "A wind-up pendulum metronome from 40 to 208 beats per minute.", "metronome;tempo", "0"),
    ("MU-7", "Drum Practice Pad", "drums", "24.00",
     "A quiet rubber practice pad for drummers, 12 inches.", "practice pad;drums;sticks", "20"),
    ("MU-8", "Violin Outfit 4/4", "strings", "189.00",
     "A full-size violin with bow, rosin and a hard case.", "violin;fiddle;bow", "5"),
    ("MU-9", "Harmonica in C", "wind", "32.00",
     "A ten-hole diatonic harmonica in the key of C.", "harmonica;mouth organ", "25"),
]  # fmt: skip
MUSIC_CUSTOMERS = [
    ("M1", "Eva Lind", "", ""),
    ("M2", "Sam Cole", "", ""),
    ("M3", "Ali Demir", "", ""),
]
MUSIC_ORDERS = [
    ("30771", "M1", "MU-3", "1", "processing", "2026-11-10", "2026-11-18"),  # overdue, processing
    ("30802", "M2", "MU-1", "1", "delayed", "2026-11-12", "2026-12-04"),
    ("30650", "M2", "MU-5", "1", "delivered", "2026-10-20", "2026-10-23"),
    ("29900", "M3", "MU-4", "2", "delivered", "2026-07-15", "2026-07-18"),  # reorder strings
]
MUSIC_FAQ = [
    ("Do you offer music lessons?", "Yes, guitar, piano and violin lessons run weekday evenings."),
    ("How much is delivery?", "Delivery is $9 and free over $150."),
    (
        "What is your return policy?",
        "Instruments can be returned within 21 days in as-new condition.",
    ),
    ("Do you repair instruments?", "Our workshop repairs and sets up guitars and violins."),
    ("Can I rent an instrument?", "We rent violins and keyboards by the month."),
]
MUSIC_SHOP = ShopRows(MUSIC_CUSTOMERS, MUSIC_PRODUCTS, MUSIC_ORDERS, MUSIC_FAQ)

# --- development: an outdoor and camping shop (issue 23: needs, cart edits, numbers) ------
OUTDOOR_PRODUCTS = [
    ("OD-101", "Two-Person Dome Tent", "tents", "89.00",
     "A light dome tent for two that pitches in five minutes, with a rain fly and taped seams.",
     "tent;dome;backpacking;camping", "7"),
    ("OD-102", "Family Cabin Tent 6 Person", "tents", "239.00",
     "A tall cabin tent that sleeps six, with two rooms and a screened porch.",
     "tent;family;cabin;camping", "3"),
    ("OD-201", "Mummy Sleeping Bag 30F", "sleeping", "64.00",
     "A synthetic mummy sleeping bag rated to 30 degrees that packs into its own sack.",
     "sleeping bag;mummy;warm", "15"),
    ("OD-202", "Self-Inflating Sleeping Pad", "sleeping", "45.00",
     "A two-inch foam pad that inflates itself and keeps you off the cold ground.",
     "sleeping pad;mat;insulated", "20"),
    ("OD-301", "Rechargeable LED Headlamp", "lights", "29.00",
     "A 400-lumen headlamp with a red night mode that charges over USB.",
     "headlamp;torch;flashlight;light", "40"),
    ("OD-302", "Camping Lantern", "lights", "24.00",
     "A collapsible LED lantern that lights a whole campsite for 30 hours on batteries.",
     "lantern;light;campsite", "25"),
    ("OD-401", "Backpacking Stove", "cooking", "39.00",
     "A palm-sized gas stove that boils a litre of water in three minutes.",
     "stove;burner;gas;camp cooking", "18"),
    ("OD-402", "Camp Cook Set 4 Piece", "cooking", "34.00",
     "Nesting aluminium pots, a pan and a kettle for cooking over a camp stove.",
     "pots;pans;cook set;camp cooking", "12"),
    ("OD-403", "Stove Gas Canister 230 g", "cooking", "7.50",
     "A screw-on butane and propane canister; one lasts a weekend of meals.",
     "gas;fuel;canister;consumable", "90"),
    ("OD-501", "Water Filter Straw", "water", "19.00",
     "A straw filter that makes stream and lake water safe to drink, good for 4,000 litres.",
     "water filter;purifier;straw", "30"),
    ("OD-502", "Insect Repellent Spray", "first aid", "9.00",
     "A DEET-free spray that keeps mosquitoes and ticks off for eight hours.",
     "bug spray;mosquito;repellent;consumable", "60"),
    ("OD-503", "Trail First Aid Kit", "first aid", "32.00",
     "Plasters, blister pads, bandages and tweezers in a light waterproof pouch.",
     "first aid;medical;blisters;kit", "22"),
    ("OD-601", "Folding Camp Chair", "furniture", "42.00",
     "A folding chair with a cup holder and a carry bag, holds up to 250 pounds.",
     "chair;folding;seat", "16"),
    ("OD-701", "Hiking Daypack 28 L", "packs", "69.00",
     "A 28-litre daypack with a rain cover, hip belt and hydration sleeve.",
     "backpack;daypack;rucksack;hiking", "11"),
]  # fmt: skip
OUTDOOR_CUSTOMERS = [
    ("T-1", "Lena Fischer", "", ""),
    ("T-2", "Owen Price", "", ""),
    ("T-3", "Ravi Shah", "", ""),
]
OUTDOOR_ORDERS = [
    ("OD-90412", "T-1", "OD-101", "1", "shipped", "2026-11-13", "2026-11-19"),  # overdue
    ("OD-90455", "T-2", "OD-701", "1", "delivered", "2026-11-05", "2026-11-09"),
    ("OD-90460", "T-2", "OD-302", "1", "shipped", "2026-11-21", "2026-11-27"),
    ("OD-88020", "T-3", "OD-403", "4", "delivered", "2026-07-02", "2026-07-06"),  # reorder
]
OUTDOOR_FAQ = [
    ("How much is shipping?", "Shipping is $6, free on orders over $80."),
    ("What is your return policy?", "Unused gear can be returned within 60 days."),
    ("Can I ship gas canisters?", "Gas canisters ship by ground only, within the mainland."),
    ("Do you rent tents?", "We rent tents and sleeping bags by the weekend from our store."),
]
OUTDOOR_SHOP = ShopRows(OUTDOOR_CUSTOMERS, OUTDOOR_PRODUCTS, OUTDOOR_ORDERS, OUTDOOR_FAQ)

# --- development: a fitness shop (issue 23, retrieval: needs, not carried, FAQ, exact) -----
FIT_PRODUCTS = [
    ("FT-01", "Adjustable Dumbbells 5-52 lb", "strength", "329.00",
     "A pair of dial-adjustable dumbbells that replace fifteen sets of weights, from 5 to 52 pounds each.",
     "dumbbells;weights;free weights;adjustable", "8"),
    ("FT-02", "Kettlebell 16 kg", "strength", "54.00",
     "A cast-iron kettlebell with a wide handle for swings, squats and presses.",
     "kettlebell;weight;cast iron", "21"),
    ("FT-03", "Folding Treadmill", "cardio", "599.00",
     "A compact treadmill that folds flat to slide under a bed, up to 8 mph with a 12-level incline.",
     "treadmill;running machine;walking;cardio", "4"),
    ("FT-04", "Indoor Cycling Bike", "cardio", "449.00",
     "A quiet magnetic-resistance exercise bike with a heavy flywheel, a phone holder and an adjustable seat.",
     "exercise bike;spin bike;stationary bike;cardio", "6"),
    ("FT-05", "Speed Jump Rope", "cardio", "15.00",
     "A ball-bearing speed rope with an adjustable steel cable for skipping and double-unders.",
     "jump rope;skipping rope;cardio", "45"),
    ("FT-06", "Yoga Mat 6 mm", "mats", "32.00",
     "A thick non-slip yoga mat that cushions knees and wrists, with a carry strap.",
     "yoga mat;exercise mat;pilates;stretching", "35"),
    ("FT-07", "Resistance Bands Set", "accessories", "24.00",
     "Five latex loop bands from extra light to extra heavy, for warm-ups, rehab and home workouts.",
     "resistance bands;loop bands;stretch bands;physio", "40"),
    ("FT-08", "Foam Roller", "recovery", "28.00",
     "A firm textured foam roller that loosens tight, sore muscles after training.",
     "foam roller;massage;recovery", "30"),
    ("FT-09", "Whey Protein Chocolate 2 lb", "nutrition", "39.00",
     "Twenty-eight servings of whey protein powder, 24 grams of protein each, that mixes with milk or water.",
     "protein powder;whey;shake;consumable", "60"),
    ("FT-10", "Electrolyte Drink Tablets 20-Pack", "nutrition", "12.00",
     "Fizzing tablets that replace the salts lost in sweat; drop one in a bottle of water.",
     "electrolytes;hydration;tablets;consumable", "70"),
    ("FT-11", "Shaker Bottle 700 ml", "accessories", "11.00",
     "A leak-proof shaker bottle with a wire whisk ball for smooth, lump-free shakes.",
     "shaker;bottle;protein shaker", "50"),
    ("FT-12", "Doorway Pull-Up Bar", "strength", "35.00",
     "A bar that fits most door frames without screws, for pull-ups, chin-ups and hanging leg raises.",
     "pull up bar;chin up bar;doorway", "12"),
    ("FT-13", "Women's Running Leggings", "apparel", "45.00",
     "High-waisted moisture-wicking leggings with a phone pocket, sizes XS to XL.",
     "leggings;tights;activewear", "25"),
    ("FT-14", "Men's Training T-Shirt", "apparel", "22.00",
     "A lightweight quick-dry gym tee that doesn't cling when you sweat, sizes S to XXL.",
     "t-shirt;tee;gym shirt;activewear", "30"),
    ("FT-15", "Weightlifting Gloves", "accessories", "19.00",
     "Padded gloves with wrist wraps that protect palms from calluses on bars and dumbbells.",
     "gloves;lifting gloves;grip", "18"),
]  # fmt: skip
FIT_CUSTOMERS = [
    ("G-1", "Maya Brooks", "", ""),
    ("G-2", "Leo Marsh", "", ""),
    ("G-3", "Iris Holt", "", ""),
]
FIT_ORDERS = [
    ("61204", "G-1", "FT-03", "1", "shipped", "2026-11-12", "2026-11-19"),  # overdue
    ("61230", "G-2", "FT-01", "1", "delivered", "2026-11-03", "2026-11-07"),
    ("61232", "G-2", "FT-13", "2", "shipped", "2026-11-22", "2026-11-27"),
    ("60115", "G-3", "FT-09", "1", "delivered", "2026-08-20", "2026-08-24"),  # reorder protein
]
FIT_FAQ = [
    (
        "How much is shipping?",
        "Shipping is $7.50, free on orders over $75; treadmills and bikes ship free to the curb.",
    ),
    (
        "What is your return policy?",
        "Equipment can be returned within 45 days; nutrition only unopened, apparel only unworn.",
    ),
    ("Do you assemble equipment?", "We assemble treadmills and bikes in your home for $89."),
    (
        "Do you offer financing?",
        "Orders over $300 can be paid in 12 interest-free monthly instalments.",
    ),
    (
        "Do personal trainers get a discount?",
        "Certified personal trainers get 15% off every order.",
    ),
    (
        "Do you price match?",
        "We match any authorised retailer's advertised price on the same item.",
    ),
]
FIT_SHOP = ShopRows(FIT_CUSTOMERS, FIT_PRODUCTS, FIT_ORDERS, FIT_FAQ)
# --- development: an auto accessories shop (issue 23: cart edits, multi-request turns,
# complaints, numbers, frustrated callers, reorders) ---------------------------------------
AUTO_PRODUCTS = [
    ("AU-101", "Microfiber Wash Mitt", "car care", "12.00",
     "A plush microfibre mitt that lifts dirt off paintwork without swirl marks.",
     "wash mitt;microfiber;car wash", "45"),
    ("AU-102", "pH Neutral Car Shampoo 1 L", "car care", "14.50",
     "A gentle foaming shampoo that is safe on wax and ceramic coatings; a bottle washes "
     "about twenty cars.", "car shampoo;soap;wash", "60"),
    ("AU-103", "Ceramic Spray Wax", "car care", "24.00",
     "Spray on, wipe off: a glossy water-beading finish that lasts about three months.",
     "wax;ceramic;polish;shine", "38"),
    ("AU-201", "Magnetic Vent Phone Mount", "phone mounts", "19.99",
     "A small magnetic holder that clips to an air vent and holds any phone with the metal "
     "plate included.", "phone holder;mount;vent;magnetic", "70"),
    ("AU-202", "Wireless Charging Phone Mount 15 W", "phone mounts", "44.00",
     "A motorised clamp that grips the phone and charges it wirelessly at 15 W on the dash or "
     "vent.", "phone holder;charger;wireless;mount", "21"),
    ("AU-301", "Neoprene Front Seat Covers Pair", "seat covers", "79.00",
     "Water-resistant neoprene covers for two front seats, airbag-safe, in black or grey.",
     "seat covers;neoprene;waterproof", "14"),
    ("AU-302", "Dog Hammock Rear Seat Cover", "seat covers", "55.00",
     "A quilted, scratch-proof cover that turns the back seat into a hammock for dogs.",
     "seat cover;dog;pet;back seat", "19"),
    ("AU-401", "1080p Dash Cam", "dash cams", "89.00",
     "A compact front dash cam with night vision, loop recording and a parking mode.",
     "dash cam;camera;dashcam;recorder", "16"),
    ("AU-402", "Front and Rear 4K Dash Cam", "dash cams", "179.00",
     "Two cameras, 4K at the front and 1080p at the back, with GPS and Wi-Fi to your phone.",
     "dash cam;camera;rear camera;dashcam", "6"),
    ("AU-403", "64 GB High Endurance microSD Card", "dash cams", "16.00",
     "A memory card made for non-stop dash cam recording.",
     "memory card;sd card;storage", "80"),
    ("AU-501", "All-Season Wiper Blades 22 in Pair", "wipers", "27.00",
     "Beam-style blades that clear rain and snow without streaking; replace every six months.",
     "wipers;wiper blades;windscreen", "33"),
    ("AU-502", "Screen Wash Concentrate 2 L", "wipers", "8.50",
     "Concentrated windscreen washer fluid that works down to minus twenty; makes ten litres.",
     "washer fluid;screen wash;windshield", "90"),
    ("AU-503", "Cabin Air Filter", "filters", "18.00",
     "A carbon cabin filter that traps pollen, dust and smells; change it every twelve months.",
     "cabin filter;pollen;air filter", "40"),
    ("AU-601", "Portable Jump Starter 1000 A", "emergency", "99.00",
     "Starts a flat battery on cars up to 6 litres, doubles as a USB power bank and torch.",
     "jump starter;battery booster;flat battery", "12"),
    ("AU-602", "Cordless Tyre Inflator", "emergency", "59.00",
     "A rechargeable pump with a digital gauge that stops at the pressure you set.",
     "tyre pump;inflator;compressor;tire", "17"),
    ("AU-701", "Collapsible Trunk Organizer", "storage", "34.00",
     "A three-compartment boot organiser with a lid and non-slip base that folds flat.",
     "trunk organizer;boot;storage", "25"),
    ("AU-801", "Leather Steering Wheel Cover Black", "interior", "22.00",
     "A stitched leather cover for 14 to 15 inch steering wheels, in black.",
     "steering wheel cover;leather;grip", "26"),
    ("AU-802", "Leather Steering Wheel Cover Beige", "interior", "22.00",
     "A stitched leather cover for 14 to 15 inch steering wheels, in beige.",
     "steering wheel cover;leather;grip", "9"),
    ("AU-702", "Vent Clip Air Freshener 4 Pack", "car care", "9.00",
     "Four vent clips in new-car scent; each lasts about 30 days.",
     "air freshener;scent;vent clip", "100"),
]  # fmt: skip
AUTO_CUSTOMERS = [
    ("A-1", "Marta Kowalski", "", ""),
    ("A-2", "Theo Banks", "", ""),
    ("A-3", "Priya Nair", "", ""),
    ("A-4", "Sam Ortiz", "", ""),
]
AUTO_ORDERS = [
    ("48213", "A-1", "AU-401", "1", "delivered", "2026-11-10", "2026-11-14"),
    ("48213", "A-1", "AU-403", "1", "delivered", "2026-11-10", "2026-11-14"),
    ("48377", "A-1", "AU-501", "1", "delivered", "2026-11-17", "2026-11-20"),
    ("48402", "A-2", "AU-301", "1", "shipped", "2026-11-12", "2026-11-18"),  # overdue
    ("47120", "A-3", "AU-501", "1", "delivered", "2026-04-20", "2026-04-24"),  # reorder (wipers)
    ("48390", "A-4", "AU-202", "1", "delivered", "2026-11-15", "2026-11-19"),
    ("48390", "A-4", "AU-702", "2", "delivered", "2026-11-15", "2026-11-19"),
    ("48460", "A-4", "AU-601", "1", "delayed", "2026-11-20", "2026-12-04"),
]
AUTO_FAQ = [
    ("How much is delivery?", "Delivery is $4.99, free on orders over $60."),
    ("What is your return policy?", "Unopened items can be returned within 45 days."),
    ("Do you fit the products?", "We fit dash cams and seat covers at our workshop for $35."),
    ("Do you price match?", "We match any UK-based retailer's advertised price."),
    ("Is there a warranty on dash cams?", "Every dash cam has an 18-month warranty."),
]
AUTO_SHOP = ShopRows(AUTO_CUSTOMERS, AUTO_PRODUCTS, AUTO_ORDERS, AUTO_FAQ)

DEV_SHOPS: dict[str, ShopRows] = {"cookware": COOK_SHOP, "hardware": HW_SHOP}
TUNING_SHOPS: dict[str, ShopRows] = {
    **DEV_SHOPS,
    "music": MUSIC_SHOP,
    "outdoor": OUTDOOR_SHOP,
    "fitness": FIT_SHOP,
    "auto": AUTO_SHOP,
}
ALL_SHOPS: dict[str, ShopRows] = {**HELDOUT_SHOPS, **TUNING_SHOPS}
