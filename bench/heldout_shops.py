"""Four held-out shops for ``bench/caller_accuracy.py --set heldout4`` (issue 23).

A pharmacy, an electronics shop, a pet supplies shop and a furniture shop:
domains the brain was never built or tuned on, written by someone who did
not read the brain's code, data or tests. Each shop has products whose
descriptions say what need they serve (some sold out), FAQ entries worded
the way a shop writes them (not the way callers ask), and customers whose
orders are in the situations callers bring: delayed, shipped but past its
date, arriving soon, delivered (for complaints and returns), and a
consumable bought long ago (for the reorder greeting).

Today is the test builder's date, 2026-11-24. The furniture shop's order
numbers have five digits, the others four.

Only ever measured: never tune the brain on these shops or on
``bench/data/callers_heldout4.jsonl``.
"""

from __future__ import annotations

import harness  # noqa: F401  (first: the suite's helpers become importable)

# isort: split

from shopbuilder import ShopRows

PHARMACY = ShopRows(
    customers=[
        ("P001", "Grace Whitfield", "+15550301001", "grace.whitfield@example.com"),
        ("P002", "Tomas Reyes", "+15550301002", "tomas.reyes@example.com"),
        ("P003", "Hannah Osei", "+15550301003", "hannah.osei@example.com"),
        ("P004", "Martin Kowalski", "+15550301004", "martin.kowalski@example.com"),
        ("P005", "Ruth Adeyemi", "+15550301005", "ruth.adeyemi@example.com"),
        ("P006", "Daniel Brooks", "+15550301006", "daniel.brooks@example.com"),
        ("P007", "Leila Haddad", "+15550301007", "leila.haddad@example.com"),
        ("P008", "Sam Whitaker", "+15550301008", "sam.whitaker@example.com"),
    ],
    products=[
        (
            "PH-101",
            "Digital Ear Thermometer",
            "health devices",
            "34.99",
            "Reads a temperature in the ear in one second, for adults, children and babies. "
            "A fever alert light and a memory of the last 20 readings.",
            "thermometer;fever;temperature;baby;kids",
            "25",
        ),
        (
            "PH-102",
            "Upper Arm Blood Pressure Monitor",
            "health devices",
            "59.99",
            "Automatic cuff monitor for checking blood pressure and pulse at home. "
            "Stores 120 readings for two users.",
            "blood pressure;heart;home monitoring;cuff",
            "12",
        ),
        (
            "PH-103",
            "Ibuprofen Tablets 200 mg 100 count",
            "pain and fever",
            "8.49",
            "Relieves headaches, toothache, back pain, period pain and fever for up to 6 hours.",
            "pain relief;headache;fever;anti-inflammatory;consumable",
            "80",
        ),
        (
            "PH-104",
            "Honey Lemon Throat Lozenges 36 pack",
            "cold and flu",
            "5.99",
            "Soothes a sore, scratchy throat and calms a tickly cough. Sugar-free.",
            "sore throat;cough;cold;lozenges;consumable",
            "60",
        ),
        (
            "PH-105",
            "Saline Nasal Spray 30 ml",
            "cold and flu",
            "6.49",
            "Clears a blocked, stuffy nose from colds or allergies. Drug-free and safe for "
            "daily use.",
            "congestion;blocked nose;stuffy;saline;consumable",
            "40",
        ),
        (
            "PH-106",
            "Non-Drowsy Allergy Relief 30 tablets",
            "allergy",
            "14.99",
            "Once-a-day antihistamine for hay fever: sneezing, itchy eyes and a runny nose, "
            "without making you sleepy.",
            "hay fever;antihistamine;pollen;sneezing;consumable",
            "35",
        ),
        (
            "PH-107",
            "Family First Aid Kit 120 pieces",
            "first aid",
            "29.99",
            "Plasters, bandages, gauze, antiseptic wipes, tweezers and scissors in a zip case, "
            "for the home, the car or travel.",
            "first aid;cuts;bandages;plasters;emergency",
            "18",
        ),
        (
            "PH-108",
            "Blister Plasters 10 pack",
            "first aid",
            "7.99",
            "Hydrocolloid plasters that cushion and heal blisters on heels and toes, and stay "
            "on for days.",
            "blister;feet;plasters;hiking;shoes;consumable",
            "50",
        ),
        (
            "PH-109",
            "Fragrance-Free Moisturising Cream 500 ml",
            "skin care",
            "12.99",
            "Rich cream for very dry, itchy or eczema-prone skin, for the whole family.",
            "dry skin;eczema;moisturiser;sensitive",
            "30",
        ),
        (
            "PH-110",
            "SPF 50 Sun Lotion 200 ml",
            "skin care",
            "15.99",
            "High protection sunscreen, water resistant for 80 minutes, for beach days and sports.",
            "sunscreen;sun protection;spf;beach;consumable",
            "0",
        ),
        (
            "PH-111",
            "Vitamin D3 1000 IU 90 softgels",
            "vitamins",
            "9.99",
            "Daily vitamin D for bones and immune support through the darker winter months. "
            "One a day; a bottle lasts three months.",
            "vitamin;supplement;immune;winter;consumable",
            "45",
        ),
        (
            "PH-112",
            "Rechargeable Electric Toothbrush",
            "oral care",
            "49.99",
            "Sonic toothbrush with a two-minute timer and a pressure sensor that warns when "
            "you brush too hard. A charge lasts three weeks.",
            "toothbrush;electric;teeth;gums;dental",
            "14",
        ),
        (
            "PH-113",
            "Replacement Brush Heads 4 pack",
            "oral care",
            "17.99",
            "Fits the Rechargeable Electric Toothbrush. Replace every 3 months.",
            "brush heads;refill;toothbrush;consumable",
            "28",
        ),
        (
            "PH-114",
            "Cool Mist Humidifier 3 L",
            "health devices",
            "44.99",
            "Adds moisture to dry bedroom air to ease a dry cough and a stuffy nose at night. "
            "Quiet, and runs for 24 hours on one tank.",
            "humidifier;dry air;bedroom;cough;sleep",
            "9",
        ),
        (
            "PH-115",
            "Baby Nappy Rash Cream 100 g",
            "baby care",
            "6.99",
            "Zinc cream that soothes and protects a baby's sore bottom at every change.",
            "baby;nappy rash;diaper;zinc;consumable",
            "33",
        ),
        (
            "PH-116",
            "Weekly Pill Organiser AM PM",
            "health devices",
            "8.99",
            "Seven-day box with morning and evening compartments so you never forget or "
            "double up a dose.",
            "pill box;medication;reminder;weekly",
            "0",
        ),
    ],
    orders=[
        ("4417", "P001", "PH-102", "1", "delayed", "2026-11-12", "2026-12-01"),
        ("4382", "P002", "PH-114", "1", "shipped", "2026-11-10", "2026-11-19"),
        ("4382", "P002", "PH-105", "2", "shipped", "2026-11-10", "2026-11-19"),
        ("4455", "P003", "PH-112", "1", "shipped", "2026-11-21", "2026-11-26"),
        ("4301", "P004", "PH-101", "1", "delivered", "2026-11-09", "2026-11-13"),
        ("4290", "P004", "PH-109", "1", "delivered", "2026-11-01", "2026-11-05"),
        ("4290", "P004", "PH-104", "2", "delivered", "2026-11-01", "2026-11-05"),
        ("4120", "P004", "PH-108", "1", "delivered", "2026-09-14", "2026-09-18"),
        ("4026", "P005", "PH-111", "1", "delivered", "2026-08-10", "2026-08-14"),
        ("3980", "P006", "PH-112", "1", "delivered", "2025-10-14", "2025-10-18"),
        ("4150", "P006", "PH-113", "1", "delivered", "2025-11-02", "2025-11-06"),
        ("4398", "P007", "PH-106", "1", "delivered", "2026-11-17", "2026-11-20"),
        ("4330", "P007", "PH-115", "1", "delivered", "2026-11-06", "2026-11-10"),
        ("4460", "P008", "PH-103", "1", "processing", "2026-11-23", "2026-11-27"),
        ("4210", "P008", "PH-107", "1", "delivered", "2026-10-05", "2026-10-09"),
    ],
    faq=[
        (
            "What are the delivery options and times?",
            "Standard delivery takes 2 to 4 business days and costs $4.95; it is free on orders "
            "over $35. A same-day courier is available in town for $9.95 if you order before "
            "1 pm.",
        ),
        (
            "Can medicines be sent back?",
            "For safety, opened medicines cannot be returned. Unopened items and health devices "
            "can be returned within 30 days of delivery for a full refund.",
        ),
        (
            "Which forms of payment are accepted?",
            "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Linden Pharmacy "
            "gift cards. HSA and FSA cards are accepted for eligible health items.",
        ),
        (
            "Do seniors get money off?",
            "Customers aged 65 and over get 10 percent off every Tuesday, in store and online.",
        ),
        (
            "When is the pharmacy open?",
            "We are open Monday to Friday 8 am to 8 pm, Saturday 9 am to 6 pm, and Sunday "
            "10 am to 4 pm.",
        ),
        (
            "Are prescriptions filled through this service?",
            "Prescriptions are handled only by our pharmacists, in store or by phone. This "
            "assistant cannot take or refill prescriptions, but it can connect you with the "
            "pharmacy team.",
        ),
        (
            "Is there a guarantee on health devices?",
            "Thermometers, blood pressure monitors, toothbrushes and humidifiers come with a "
            "2-year warranty. We replace a faulty device free of charge within that time.",
        ),
    ],
)

ELECTRONICS = ShopRows(
    customers=[
        ("E01", "Olivia Grant", "+15550302001", "olivia.grant@example.com"),
        ("E02", "Marcus Bell", "+15550302002", "marcus.bell@example.com"),
        ("E03", "Chloe Park", "+15550302003", "chloe.park@example.com"),
        ("E04", "Nathan Cole", "+15550302004", "nathan.cole@example.com"),
        ("E05", "Fatima Noor", "+15550302005", "fatima.noor@example.com"),
        ("E06", "Ben Alvarez", "+15550302006", "ben.alvarez@example.com"),
        ("E07", "Sophie Turner", "+15550302007", "sophie.turner@example.com"),
        ("E08", "Ryan Shah", "+15550302008", "ryan.shah@example.com"),
    ],
    products=[
        (
            "EL-2001",
            "Wireless Noise-Cancelling Headphones NC700",
            "audio",
            "179.00",
            "Over-ear Bluetooth headphones that block out plane, train and office noise. "
            "30-hour battery.",
            "headphones;bluetooth;noise cancelling;travel;over-ear",
            "11",
        ),
        (
            "EL-2002",
            "True Wireless Earbuds S2",
            "audio",
            "69.99",
            "Small sweat-resistant earbuds for running and the gym, with a pocket charging "
            "case. 6 hours per charge.",
            "earbuds;wireless;sport;running;gym",
            "40",
        ),
        (
            "EL-2003",
            "Portable Power Bank 20000 mAh",
            "power",
            "39.99",
            "Charges a phone about four times over when you are away from a socket all day. "
            "USB-C fast charging and two ports.",
            "power bank;battery;charger;phone;travel",
            "55",
        ),
        (
            "EL-2004",
            "65W USB-C Wall Charger",
            "power",
            "29.99",
            "Compact fast charger for laptops, tablets and phones, with one USB-C and one "
            "USB-A port.",
            "charger;usb-c;laptop;fast charging;plug",
            "60",
        ),
        (
            "EL-2005",
            "Braided USB-C Cable 2 m",
            "cables",
            "12.99",
            "Extra-long tangle-free cable so you can charge from the bed or the sofa. Braided "
            "to survive bending.",
            "cable;usb-c;charging;long",
            "120",
        ),
        (
            "EL-2006",
            "27 inch 4K Monitor U27",
            "computers",
            "249.99",
            "Sharp 27-inch screen for working from home, photo editing or a second display "
            "for a laptop. Height-adjustable stand.",
            "monitor;screen;display;4k;home office",
            "7",
        ),
        (
            "EL-2007",
            "24 inch Full HD Monitor E24",
            "computers",
            "119.99",
            "Budget 24-inch screen for everyday work and study, with HDMI and a slim bezel.",
            "monitor;screen;display;hd;study",
            "15",
        ),
        (
            "EL-2008",
            "Wireless Keyboard and Mouse Set",
            "computers",
            "44.99",
            "Quiet full-size keyboard with a matching mouse on one USB receiver. Two-year "
            "battery life.",
            "keyboard;mouse;wireless;desk;office",
            "26",
        ),
        (
            "EL-2009",
            "1080p Webcam with Microphone",
            "computers",
            "54.99",
            "Clear video for video calls and online meetings, with a built-in microphone and "
            "a privacy shutter.",
            "webcam;camera;video calls;meetings",
            "0",
        ),
        (
            "EL-2010",
            "Smart Wi-Fi Plug 2 pack",
            "smart home",
            "24.99",
            "Turn lamps and appliances on and off from your phone or by voice, and set "
            "schedules while you are away.",
            "smart plug;wifi;home automation;timer;voice control",
            "33",
        ),
        (
            "EL-2011",
            "Video Doorbell",
            "smart home",
            "99.99",
            "See and talk to whoever is at the door from your phone, with motion alerts and "
            "night vision.",
            "doorbell;camera;security;front door;smart home",
            "8",
        ),
        (
            "EL-2012",
            "Waterproof Bluetooth Speaker Wave",
            "audio",
            "59.99",
            "Rugged speaker you can take to the pool, the beach or the shower. It floats and "
            "plays for 12 hours.",
            "speaker;bluetooth;waterproof;portable;outdoor",
            "20",
        ),
        (
            "EL-2013",
            "Screen Cleaning Kit",
            "accessories",
            "9.99",
            "Spray and microfibre cloth that safely clean fingerprints and dust off screens, "
            "laptops and glasses. One bottle lasts about two months.",
            "cleaning;screen;spray;cloth;consumable",
            "44",
        ),
        (
            "EL-2014",
            "Printer Ink Cartridge Combo 305",
            "printing",
            "34.99",
            "Replacement black and tri-colour ink cartridges for DeskJet 2700 series printers.",
            "ink;cartridge;printer;replacement;consumable",
            "38",
        ),
        (
            "EL-2015",
            "Tablet 10 inch Tab A10 64 GB",
            "tablets",
            "199.00",
            "Ten-inch tablet for streaming, reading and kids' games, with parental controls "
            "and a 12-hour battery.",
            "tablet;android;kids;streaming;reading",
            "0",
        ),
        (
            "EL-2016",
            "Laptop Sleeve 14 inch",
            "accessories",
            "24.99",
            "Padded water-resistant sleeve that protects a 13 to 14 inch laptop in a backpack.",
            "laptop;sleeve;case;protection;bag",
            "30",
        ),
    ],
    orders=[
        ("5203", "E01", "EL-2006", "1", "delayed", "2026-11-10", "2026-12-03"),
        ("5188", "E02", "EL-2001", "1", "shipped", "2026-11-09", "2026-11-18"),
        ("5231", "E03", "EL-2011", "1", "shipped", "2026-11-20", "2026-11-25"),
        ("5150", "E04", "EL-2002", "1", "delivered", "2026-11-12", "2026-11-16"),
        ("5164", "E04", "EL-2005", "1", "delivered", "2026-11-15", "2026-11-19"),
        ("5164", "E04", "EL-2004", "1", "delivered", "2026-11-15", "2026-11-19"),
        ("4990", "E05", "EL-2014", "1", "delivered", "2026-08-25", "2026-08-29"),
        ("5109", "E06", "EL-2012", "1", "delivered", "2026-11-08", "2026-11-12"),
        ("5011", "E06", "EL-2008", "1", "delivered", "2026-09-26", "2026-10-01"),
        ("5099", "E07", "EL-2013", "1", "delivered", "2026-08-28", "2026-09-01"),
        ("5240", "E08", "EL-2016", "1", "processing", "2026-11-23", "2026-11-28"),
        ("5120", "E08", "EL-2010", "1", "delivered", "2026-11-10", "2026-11-14"),
    ],
    faq=[
        (
            "What is the delivery charge?",
            "Delivery is free on orders over $75; below that it costs $6.99. Orders arrive in "
            "3 to 5 business days.",
        ),
        (
            "How do refunds work if I change my mind?",
            "You have 14 days from delivery to return an item in its original box for a full "
            "refund. Opened headphones and earbuds can be returned only if they are faulty.",
        ),
        (
            "Do you beat competitors' prices?",
            "Yes. If a major retailer sells the same item new for less, we match their price. "
            "Send us the link within 14 days of purchase and we refund the difference.",
        ),
        (
            "What warranty is included?",
            "Every product has a 1-year warranty against defects. Faulty items are repaired or "
            "replaced free; an extended 3-year plan costs 15 percent of the price.",
        ),
        (
            "Which ways can I pay?",
            "Visa, Mastercard, Amex, PayPal, Google Pay and Voltline gift cards. Orders over "
            "$300 can be split into 4 interest-free payments.",
        ),
        (
            "Are there reductions for students?",
            "Students with a valid student email get 10 percent off computers and accessories; "
            "verify once at checkout.",
        ),
        (
            "Can orders be collected?",
            "Yes, click and collect is free from our Mercer Street store, and an order is "
            "usually ready in 2 hours.",
        ),
    ],
)

PETS = ShopRows(
    customers=[
        ("K01", "Emma Lindqvist", "+15550303001", "emma.lindqvist@example.com"),
        ("K02", "Jorge Mendes", "+15550303002", "jorge.mendes@example.com"),
        ("K03", "Aiko Tanaka", "+15550303003", "aiko.tanaka@example.com"),
        ("K04", "Liam O'Connor", "+15550303004", "liam.oconnor@example.com"),
        ("K05", "Priya Shah", "+15550303005", "priya.shah@example.com"),
        ("K06", "Owen Price", "+15550303006", "owen.price@example.com"),
        ("K07", "Nadia Petrov", "+15550303007", "nadia.petrov@example.com"),
        ("K08", "Harvey Quinn", "+15550303008", "harvey.quinn@example.com"),
    ],
    products=[
        (
            "PW-301",
            "Grain-Free Adult Dog Food 12 kg",
            "dog food",
            "64.99",
            "Complete dry food for adult dogs of all breeds, with salmon and sweet potato for "
            "sensitive stomachs. A bag lasts a medium dog about 6 weeks.",
            "dog food;dry food;kibble;grain-free;consumable",
            "30",
        ),
        (
            "PW-302",
            "Indoor Cat Food Chicken 4 kg",
            "cat food",
            "29.99",
            "Dry food for indoor cats that helps control hairballs and weight.",
            "cat food;dry food;hairball;indoor;consumable",
            "42",
        ),
        (
            "PW-303",
            "Clumping Cat Litter 10 L",
            "cat care",
            "14.99",
            "Low-dust clay litter that clumps fast and locks in odours.",
            "litter;cat;odour control;clumping;consumable",
            "55",
        ),
        (
            "PW-304",
            "Tough Rubber Chew Bone",
            "dog toys",
            "12.99",
            "Near-indestructible natural rubber bone for heavy chewers and teething puppies. "
            "Dishwasher safe.",
            "chew toy;dog;rubber;durable;teething",
            "38",
        ),
        (
            "PW-305",
            "Interactive Treat Puzzle Feeder",
            "dog toys",
            "19.99",
            "Slide-and-lift puzzle that hides treats to keep a bored dog busy and slows down "
            "fast eaters.",
            "puzzle;enrichment;boredom;treats;slow feeder",
            "22",
        ),
        (
            "PW-306",
            "Cat Scratching Post 32 inch",
            "cat furniture",
            "34.99",
            "Tall sisal post with a heavy base that saves your sofa from claws, with a "
            "dangling toy.",
            "scratching post;cat;sisal;claws;furniture saver",
            "16",
        ),
        (
            "PW-307",
            "No-Pull Dog Harness",
            "walking",
            "27.99",
            "Front-clip harness that stops a dog pulling on walks without choking. Padded and "
            "reflective, sizes S to XL.",
            "harness;walking;no-pull;reflective;training",
            "25",
        ),
        (
            "PW-308",
            "Retractable Dog Lead 5 m",
            "walking",
            "22.49",
            "Tangle-free retractable lead with a one-button brake, for dogs up to 25 kg.",
            "lead;leash;retractable;walking",
            "0",
        ),
        (
            "PW-309",
            "Orthopaedic Dog Bed Large",
            "beds",
            "79.99",
            "Memory-foam bed that eases stiff joints for older and arthritic dogs. Washable cover.",
            "dog bed;orthopedic;memory foam;senior dog;joints",
            "9",
        ),
        (
            "PW-310",
            "Self-Cleaning Water Fountain 2 L",
            "feeding",
            "39.99",
            "Filtered running water that encourages cats and small dogs to drink more. Quiet pump.",
            "water fountain;drinking;cat;filter;hydration",
            "14",
        ),
        (
            "PW-311",
            "Fountain Replacement Filters 6 pack",
            "feeding",
            "11.99",
            "Carbon filters for the Self-Cleaning Water Fountain. Replace every month.",
            "filter;replacement;fountain;consumable",
            "48",
        ),
        (
            "PW-312",
            "Flea and Tick Drops for Dogs 3 doses",
            "health",
            "24.99",
            "Spot-on treatment that kills fleas and ticks and protects for a month per dose.",
            "flea;tick;parasite;spot-on;consumable",
            "0",
        ),
        (
            "PW-313",
            "Small Animal Hay 2 kg",
            "small pets",
            "9.99",
            "Sweet timothy hay for rabbits, guinea pigs and chinchillas, good for their teeth "
            "and digestion.",
            "hay;rabbit;guinea pig;small animal;consumable",
            "36",
        ),
        (
            "PW-314",
            "Soft Pet Carrier",
            "travel",
            "44.99",
            "Airline-approved carrier for cats and small dogs up to 7 kg, for vet visits and "
            "travel, with mesh windows.",
            "carrier;travel;vet;cat;airline",
            "12",
        ),
        (
            "PW-315",
            "Dog Poop Bags 240 count",
            "walking",
            "8.99",
            "Leak-proof compostable bags on 16 rolls, with a dispenser that clips to the lead.",
            "poop bags;waste;walking;compostable;consumable",
            "90",
        ),
        (
            "PW-316",
            "Aquarium Starter Kit 60 L",
            "fish",
            "89.99",
            "Tank with filter, heater and LED light: everything to start keeping tropical fish.",
            "aquarium;fish tank;tropical;filter;heater",
            "5",
        ),
    ],
    orders=[
        ("6120", "K01", "PW-309", "1", "delayed", "2026-11-11", "2026-12-02"),
        ("6088", "K02", "PW-314", "1", "shipped", "2026-11-08", "2026-11-17"),
        ("6088", "K02", "PW-307", "1", "shipped", "2026-11-08", "2026-11-17"),
        ("6151", "K03", "PW-310", "1", "shipped", "2026-11-21", "2026-11-26"),
        ("6042", "K04", "PW-301", "1", "delivered", "2026-09-20", "2026-09-23"),
        ("6010", "K05", "PW-303", "1", "delivered", "2026-09-02", "2026-09-05"),
        ("6102", "K06", "PW-306", "1", "delivered", "2026-11-11", "2026-11-15"),
        ("6071", "K06", "PW-305", "1", "delivered", "2026-10-28", "2026-11-02"),
        ("6064", "K06", "PW-302", "1", "delivered", "2026-10-25", "2026-10-28"),
        ("6115", "K07", "PW-307", "1", "delivered", "2026-11-15", "2026-11-19"),
        ("6097", "K07", "PW-304", "2", "delivered", "2026-11-04", "2026-11-08"),
        ("6140", "K08", "PW-313", "1", "processing", "2026-11-23", "2026-11-26"),
        ("6030", "K08", "PW-311", "1", "delivered", "2026-09-06", "2026-09-10"),
    ],
    faq=[
        (
            "How quickly do orders get delivered?",
            "Orders placed before 2 pm ship the same day and arrive in 1 to 3 business days. "
            "Delivery is free over $49, otherwise it costs $5.49.",
        ),
        (
            "Can I send something back?",
            "Unopened food and supplies can be returned within 30 days. Opened food is "
            "refunded if your pet won't eat it, once per product, under our Picky Eater "
            "promise.",
        ),
        (
            "Is there a discount for repeat deliveries?",
            "Autoship saves 5 percent on every repeat delivery of food, litter and other "
            "consumables. Skip or cancel any time.",
        ),
        (
            "What methods of payment are taken?",
            "We take all major credit and debit cards, PayPal and Paws and Whiskers gift cards.",
        ),
        (
            "Are live animals sold here?",
            "No, we don't sell live animals. We work with local rescues and host adoption days "
            "on the first Saturday of each month.",
        ),
        (
            "What are the opening hours?",
            "We're open every day from 9 am to 7 pm; the grooming salon closes at 5 pm.",
        ),
    ],
)

FURNITURE = ShopRows(
    customers=[
        ("F01", "Charlotte Evans", "+15550304001", "charlotte.evans@example.com"),
        ("F02", "Kwame Mensah", "+15550304002", "kwame.mensah@example.com"),
        ("F03", "Ingrid Holm", "+15550304003", "ingrid.holm@example.com"),
        ("F04", "Rosa Martinez", "+15550304004", "rosa.martinez@example.com"),
        ("F05", "George Whitman", "+15550304005", "george.whitman@example.com"),
        ("F06", "Mei Lin", "+15550304006", "mei.lin@example.com"),
        ("F07", "Patrick Doyle", "+15550304007", "patrick.doyle@example.com"),
        ("F08", "Amara Okafor", "+15550304008", "amara.okafor@example.com"),
    ],
    products=[
        (
            "FN-401",
            "Three-Seater Sofa Harlow",
            "living room",
            "899.00",
            "Deep-seated fabric sofa for three with removable, washable covers. 215 cm wide.",
            "sofa;couch;living room;fabric;three seater",
            "4",
        ),
        (
            "FN-402",
            "Sofa Bed Nova",
            "living room",
            "649.00",
            "Two-seater that pulls out into a double bed in seconds, for guest rooms and small "
            "flats.",
            "sofa bed;guest bed;small space;sleeper",
            "6",
        ),
        (
            "FN-403",
            "Solid Oak Dining Table 6 Seater",
            "dining",
            "749.00",
            "Oak table 180 cm long that seats six for family dinners.",
            "dining table;oak;six seater;kitchen",
            "3",
        ),
        (
            "FN-404",
            "Upholstered Dining Chair Set of 2",
            "dining",
            "229.00",
            "Padded chairs with oak legs, comfortable for long meals. Sold as a pair.",
            "dining chair;chairs;upholstered;pair",
            "10",
        ),
        (
            "FN-405",
            "Ergonomic Office Chair Flex",
            "home office",
            "279.00",
            "Adjustable lumbar support, armrests and seat depth for long days at the desk and "
            "a sore back.",
            "office chair;ergonomic;back support;desk chair;home office",
            "12",
        ),
        (
            "FN-406",
            "Electric Standing Desk 140 cm",
            "home office",
            "429.00",
            "Desk that rises from sitting to standing height at the touch of a button, with 3 "
            "memory presets.",
            "standing desk;sit stand;desk;home office;height adjustable",
            "0",
        ),
        (
            "FN-407",
            "Compact Writing Desk 100 cm",
            "home office",
            "149.00",
            "Small desk with a drawer that fits a corner or a bedroom, for homework or a laptop.",
            "desk;small;study;homework;bedroom",
            "15",
        ),
        (
            "FN-408",
            "Five-Shelf Bookcase Walnut",
            "storage",
            "189.00",
            "Tall bookcase, 180 cm high, for books, plants and display. Wall anchor included.",
            "bookcase;shelves;storage;books;display",
            "8",
        ),
        (
            "FN-409",
            "Shoe Storage Bench",
            "hallway",
            "119.00",
            "Hallway bench to sit on while you put on your shoes, with two shelves holding 8 "
            "pairs underneath.",
            "shoe rack;bench;hallway;entryway;storage",
            "11",
        ),
        (
            "FN-410",
            "Double Bed Frame Ashby with Storage",
            "bedroom",
            "549.00",
            "Upholstered double bed with four under-bed drawers for extra storage in small "
            "bedrooms.",
            "bed;double bed;storage;bedroom;drawers",
            "5",
        ),
        (
            "FN-411",
            "Bedside Table with Drawer",
            "bedroom",
            "89.00",
            "Small nightstand with a drawer and an open shelf for a lamp, a phone and books.",
            "bedside table;nightstand;bedroom;drawer",
            "20",
        ),
        (
            "FN-412",
            "Kids Bunk Bed Pine",
            "kids",
            "399.00",
            "Twin bunk bed with safety rails and a ladder, for siblings sharing a room. Splits "
            "into two single beds.",
            "bunk bed;kids;children;shared room;pine",
            "0",
        ),
        (
            "FN-413",
            "Furniture Care Oil 500 ml",
            "care",
            "16.99",
            "Nourishing oil for oak and walnut furniture that restores colour and protects "
            "against water marks. Re-oil every 6 months.",
            "wood oil;care;maintenance;oak;consumable",
            "40",
        ),
        (
            "FN-414",
            "Wingback Armchair Clara",
            "living room",
            "349.00",
            "Armchair with a high back and side cushions, a cosy spot for reading.",
            "armchair;reading;wingback;living room;accent chair",
            "7",
        ),
        (
            "FN-415",
            "Low TV Stand 160 cm",
            "living room",
            "259.00",
            "Low media unit for TVs up to 70 inches, with cable holes and two cupboards.",
            "tv stand;media unit;television;living room;storage",
            "9",
        ),
    ],
    orders=[
        ("30418", "F01", "FN-401", "1", "delayed", "2026-11-02", "2026-12-04"),
        ("30377", "F02", "FN-405", "1", "shipped", "2026-11-06", "2026-11-16"),
        ("30455", "F03", "FN-408", "1", "shipped", "2026-11-19", "2026-11-26"),
        ("30390", "F04", "FN-404", "1", "delivered", "2026-11-05", "2026-11-14"),
        ("30402", "F04", "FN-411", "1", "delivered", "2026-11-10", "2026-11-18"),
        ("29870", "F05", "FN-413", "1", "delivered", "2026-04-20", "2026-04-25"),
        ("30365", "F06", "FN-407", "1", "delivered", "2026-11-03", "2026-11-10"),
        ("30110", "F06", "FN-409", "1", "delivered", "2026-09-08", "2026-09-15"),
        ("30440", "F07", "FN-414", "1", "delivered", "2026-11-12", "2026-11-20"),
        ("30460", "F07", "FN-413", "1", "processing", "2026-11-23", "2026-11-30"),
        ("30470", "F08", "FN-403", "1", "processing", "2026-11-22", "2026-12-06"),
        ("30200", "F08", "FN-409", "1", "delivered", "2026-09-24", "2026-10-01"),
    ],
    faq=[
        (
            "What does delivery cost for large items?",
            "Large furniture is delivered by a two-person team to the room of your choice for "
            "$49; small items ship for $7.95. Delivery is free on orders over $1000.",
        ),
        (
            "How long until furniture arrives?",
            "Items in stock arrive in 5 to 10 business days. We call you 2 days ahead to agree "
            "on a time slot.",
        ),
        (
            "Is assembly available?",
            "Yes. Our team can assemble your furniture on delivery for $59 per order.",
        ),
        (
            "What if I change my mind?",
            "You can return furniture within 60 days if it is unused and in its original "
            "condition. We collect it for a $39 fee and refund the rest.",
        ),
        (
            "Is the furniture guaranteed?",
            "Sofas, beds and chairs have a 5-year frame guarantee. We repair or replace a "
            "faulty frame free of charge.",
        ),
        (
            "Which payment options exist?",
            "We accept credit and debit cards, PayPal and Oak and Ember gift cards. Purchases "
            "over $500 can be spread over 12 months at 0 percent interest.",
        ),
        (
            "When is the showroom open?",
            "Our showroom is open Tuesday to Sunday, 10 am to 6 pm, and closed on Mondays.",
        ),
    ],
)

HELDOUT_SHOPS: dict[str, ShopRows] = {
    "pharmacy": PHARMACY,
    "electronics": ELECTRONICS,
    "pets": PETS,
    "furniture": FURNITURE,
}

# The name each shop greets with (given to the conversations as the shop_name setting).
SHOP_NAMES: dict[str, str] = {
    "pharmacy": "Linden Pharmacy",
    "electronics": "Voltline Electronics",
    "pets": "Paws and Whiskers",
    "furniture": "Oak and Ember Home",
}
