#!/usr/bin/env python3
"""Writes the boundary cases (one folder each). Run once; the folders are the record."""
import os, textwrap
ROOT = os.path.dirname(os.path.abspath(__file__))
CASES = []  # (name, select, text, source, expectation)

def case(name, select, text, source, expect):
    CASES.append((name, select, textwrap.dedent(text).lstrip("\n"), source, expect))

# ---------- shared fragments ----------
def hwb_members(icbs=("north_icb",), councillor=True, healthwatch=True, extra=""):
    m = []
    if councillor: m.append('    member "Cabinet member" { post councillor; councillor yes }')
    m.append('    member "DASS" { post director_adult_social_services }')
    m.append('    member "DCS" { post director_childrens_services }')
    m.append('    member "DPH" { post director_public_health }')
    if healthwatch: m.append('    member "Healthwatch" { post healthwatch }')
    for i in icbs: m.append(f'    member "ICB rep {i}" {{ category icb; icb @{i} }}')
    if extra: m.append(extra)
    return "\n".join(m)

TWO_SYS = '''system north "North ICS" { regime REG }
system south "South ICS" { regime REG }
icb north_icb "NHS North ICB" { system @north }
icb south_icb "NHS South ICB" { system @south }
'''

# ================= 1. Nested explain =================
EXPL_HEAD = '''system north "North ICS" { regime 2022 }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" { system @north }
icp north_icp "North ICP" { system @north; established_by [@north_icb, @shire] }
'''
SRC_EXPL = "Issue 20, nested `explain`; README 'Comply or explain' (innermost claims first)"
case("c01_explain_outer_after_inner", ["CCN061", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    priority p1 "Falls" {    # expect: CCN061
        explain CCN061 "Metric agreed with districts in 2027" {    # claims: CCN061
            approved_by @north_icp
            agreed 2025-06-01
        }
    }
    explain CCN061 "Whole strategy: metrics follow in 2027" {    # noclaim: CCN061
        approved_by @north_icp
        agreed 2025-06-01
    }
}
''', SRC_EXPL, "CCN061 at the priority, claimed by the inner (priority) explanation although the outer one is written after it")

case("c02_explain_outer_before_inner", ["CCN061", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    explain CCN061 "Whole strategy: metrics follow in 2027" {    # noclaim: CCN061
        approved_by @north_icp
        agreed 2025-06-01
    }
    priority p1 "Falls" {    # expect: CCN061
        explain CCN061 "Metric agreed with districts in 2027" {    # claims: CCN061
            approved_by @north_icp
            agreed 2025-06-01
        }
    }
}
''', SRC_EXPL, "Control: outer written first; the inner one still claims")

case("c03_explain_outer_takes_only_unexplained_sibling", ["CCN061", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    priority p1 "Falls" {    # expect: CCN061
        explain CCN061 "Metric agreed with districts in 2027" {    # claims: CCN061
            approved_by @north_icp
            agreed 2025-06-01
        }
    }
    priority p2 "Housing" {    # expect: CCN061
    }
    explain CCN061 "Whole strategy: metrics follow in 2027" {    # claims: CCN061
        approved_by @north_icp
        agreed 2025-06-01
    }
}
''', SRC_EXPL, "p1's finding claimed by its own explanation; p2's (no inner explanation) by the outer one written last")

case("c04_explain_three_levels_innermost_last_in_text", ["CCN041", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    explain CCN041 "Strategy-wide: ambitions being set" {    # noclaim: CCN041
        approved_by @north_icp
        agreed 2025-06-01
    }
    priority p1 "Falls" {
        metric "Falls admissions per 100k"
        ambition {    # expect: CCN041
            metric "Falls admissions per 100k"
            explain CCN041 "Baseline year under audit" {    # claims: CCN041
                approved_by @north_icp
                agreed 2025-06-01
            }
        }
        explain CCN041 "Priority-level: ambition not final" {    # noclaim: CCN041
            approved_by @north_icp
            agreed 2025-06-01
        }
    }
}
''', SRC_EXPL, "Three nested explanations (strategy, priority written after the ambition, ambition); the ambition's (deepest) claims the CCN041 finding at the ambition")

case("c05_explain_inner_other_rule_outer_same_rule", ["CCN061", "CCN132", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    priority p1 "Falls" {    # expect: CCN061
        owners [@north_icb]    # expect: CCN132
        explain CCN132 "Externalities quantified in 2027" {    # claims: CCN132
            approved_by @north_icp
            agreed 2025-06-01
        }
    }
    explain CCN061 "Whole strategy: metrics follow in 2027" {    # claims: CCN061
        approved_by @north_icp
        agreed 2025-06-01
    }
}
''', SRC_EXPL, "An inner explanation of another rule does not shadow the outer one: CCN061 claimed by the outer, CCN132 by the inner")

case("c06_explain_outer_after_lapsed_inner_inforce", ["CCN061", "ICG"], "# as-of: 2026-12-06\n" + EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    priority p1 "Falls" {    # expect: CCN061
        explain CCN061 "Metric agreed with districts in 2027" {    # claims: CCN061
            approved_by @north_icp
            agreed 2025-06-01
            review 2027-06-01
        }
    }
    explain CCN061 "Whole strategy: old explanation" {    # noclaim: CCN061
        approved_by @north_icp
        agreed 2024-06-01
        review 2025-06-01
    }
}
''', SRC_EXPL, "as-of 2026-12-06: inner in force, outer (written after) lapsed; inner claims, finding explained (not overdue)")

case("c07_explain_incomplete_inner_outer_claims", ["CCN061", "ICG"], EXPL_HEAD + '''
strategy ics "Integrated care strategy" {
    system @north
    type integrated_care_strategy
    owner @north_icp
    priority p1 "Falls" {    # expect: CCN061
        explain CCN061 "Metric agreed with districts in 2027" {    # noclaim: CCN061
            agreed 2025-06-01
        }
    }
    explain CCN061 "Whole strategy: metrics follow in 2027" {    # claims: CCN061
        approved_by @north_icp
        agreed 2025-06-01
    }
}
''', SRC_EXPL + "; README: an incomplete explanation (ICG018) explains nothing", "inner explanation lacks approved_by (ICG018, explains nothing): the outer one, written after it, claims the finding")

# ================= 2. CCN113 =================
def ccn113(name, words, exp, note, regime="2022"):
    mark = "expect: CCN113" if exp else "ok: CCN113"
    case(name, ["CCN113", "ICG"], f'''
system north "North ICS" {{ regime {regime} }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{
    system @north
    disqualify [{words}, undermines_independence]    # {mark}
}}
''', "Issue 20 CCN113 (bar read by meaning); recommendations.md CCN113 (bar on elected members from the whole board; chair/NEM-only bar is STA025's)", note)

ccn113("c10_ccn113_councillor_of_constituent_council", "councillor_of_constituent_council", True, "named in the issue: a bar")
ccn113("c11_ccn113_elected_member_of_any_local_authority", "elected_member_of_any_local_authority", True, "elected member + local authority: a bar")
ccn113("c12_ccn113_member_of_a_constituent_council", "member_of_a_constituent_council", True, "member of a (constituent) council: a bar")
ccn113("c13_ccn113_plural_councillors", "councillors", True, "plural: a bar")
ccn113("c14_ccn113_serving_county_councillor", "serving_county_councillor", True, "qualified noun: still a bar on councillors")
ccn113("c15_ccn113_elected_local_authority_member", "elected_local_authority_member", True, "reordered words: a bar")
ccn113("c16_ccn113_member_of_local_council", "member_of_any_local_council", True, "'local council' = local authority: a bar")
ccn113("c17_ccn113_holds_office_as_councillor", "holds_office_as_a_councillor", True, "a lawyer's phrasing of the same bar")
ccn113("c18_ccn113_member_of_parliament_not_a_bar", "member_of_parliament", False, "not a bar on councillors")
ccn113("c19_ccn113_employee_of_local_authority_not_a_bar", "employee_of_a_local_authority", False, "council staff, not elected members: not a bar on councillors")
ccn113("c20_ccn113_councillor_as_chair_only_not_ccn113", "councillor_as_chair_or_non_executive", False, "bar limited to the chair/NEM seats: STA025's business, not CCN113 (recommendations.md)")
ccn113("c21_ccn113_member_of_nhs_trust_board_not_a_bar", "member_of_an_nhs_trust_board", False, "'member' of something that is not a council: not a bar")
ccn113("c22_ccn113_regime_2026_still_applies", "councillor_of_constituent_council", True, "regime 2026: CCN113 unaffected in substance (dossier HB02); severity at most warning", regime="2026")

ccn113("c44_ccn113_disqualified_from_being_councillor_not_a_bar", "disqualified_from_being_a_councillor", False, "people disqualified from council office (LGA 1972 s80 style) — not a bar on serving councillors")
ccn113("c45_ccn113_elected_representative", "elected_representative", True, "generic 'elected representative' covers councillors: a bar")
ccn113("c46_ccn113_mp_or_member_of_local_authority", "member_of_the_house_of_commons_or_a_local_authority", True, "a composite bar that includes members of a local authority")

# ================= 3. STA012 (mayor; small shares) =================
SRC12 = "Issue 20 STA012 (HSCA 2012 s194(4): elected mayor may sit instead of a councillor; any part of the area); recommendations.md STA012 amended"
def sta012_mayor(name, mayor, post_mayor, councillor, exp, note):
    lines = hwb_members(councillor=councillor,
        extra='    member "Elected mayor" { post elected_mayor }' if post_mayor else "")
    mark = "expect: STA012" if exp else "ok: STA012"
    case(name, ["STA012", "ICG"], f'''
system north "North ICS" {{ regime 2022 }}
authority borough "Borough" {{ kind unitary; tier upper; population 300_000; share @north 100%{"; mayor yes" if mayor else "; mayor no"} }}
icb north_icb "NHS North ICB" {{ system @north }}
hwb borough_hwb "Borough HWB" {{    # {mark}
    system @north
    authority @borough
    functions [jsna, jhws, bcf_plan]
{lines}
}}
''', SRC12, note)

sta012_mayor("c23_sta012_mayor_sits_instead_of_councillor", True, True, False, False, "authority has an elected mayor; `post elected_mayor`, no councillor: satisfied")
sta012_mayor("c24_sta012_mayor_post_but_authority_has_no_mayor", False, True, False, True, "`mayor no`: s194(4) does not apply; no councillor member: finding")
sta012_mayor("c25_sta012_mayoral_authority_neither_mayor_nor_councillor", True, False, False, True, "mayoral authority, but neither the mayor nor a councillor: finding")
sta012_mayor("c26_sta012_mayor_and_councillor_both", True, True, True, False, "both: satisfied")

def split_auth(pct_south, dated=""):
    north = 100 - pct_south
    if pct_south == 0:
        return f'authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100%; share @south 0% }}'
    return f'authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north {north:g}%; share @south {pct_south:g}% }}'

def sta012_share(name, pct, icbs, exp, note, regime="2022"):
    mark = "expect: STA012" if exp else "ok: STA012"
    case(name, ["STA012", "ICG"], TWO_SYS.replace("REG", regime) + split_auth(pct) + f'''
authority south_shire "South Shire" {{ kind county; tier upper; population 1_000_000; share @south 100% }}
hwb shire_hwb "Shire HWB" {{    # {mark}
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
{hwb_members(icbs=icbs)}
}}
''', SRC12, note)

sta012_share("c27_sta012_4_9pct_needs_second_icb_rep", 4.9, ("north_icb",), True, "4.9% in South: South ICB's area includes part of the authority: South ICB rep missing")
sta012_share("c28_sta012_exactly_5pct_needs_second_icb_rep", 5, ("north_icb",), True, "5%: finding (as in the second edition)")
sta012_share("c29_sta012_0pct_no_second_icb", 0, ("north_icb",), False, "0% in South: no part of the area, no South rep needed")
sta012_share("c30_sta012_4_9pct_both_reps", 4.9, ("north_icb", "south_icb"), False, "both ICBs represented: satisfied")
sta012_share("c31_sta012_0_5pct_needs_second_icb_rep", 0.5, ("north_icb",), True, "0.5%: any part: finding (message should say the share is small)")

# Healthwatch and regime 2026
def sta012_hw(name, regime, exp, note):
    mark = "expect: STA012" if exp else "ok: STA012"
    case(name, ["STA012", "ICG"], ("# max-severity: warning\n" if regime == "2026" else "") + f'''
system north "North ICS" {{ regime {regime} }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{ system @north }}
hwb shire_hwb "Shire HWB" {{    # {mark}
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
{hwb_members(healthwatch=False)}
}}
''', "Issue 20 regime 2026 (Healthwatch abolished: HWB's Healthwatch member falls away); dossier HB04", note)
sta012_hw("c32_sta012_2026_no_healthwatch_ok", "2026", False, "regime 2026: no Healthwatch member needed")
sta012_hw("c33_sta012_2025_no_healthwatch_finding", "2025", True, "regime 2025: Healthwatch member still required")
case("c34_sta012_2026_missing_dph_is_warning", ["STA012", "ICG"], '''
# max-severity: warning
system north "North ICS" { regime 2026 }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" { system @north }
hwb shire_hwb "Shire HWB" {    # expect: STA012
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
    member "Cabinet member" { post councillor; councillor yes }
    member "DASS" { post director_adult_social_services }
    member "DCS" { post director_childrens_services }
    member "ICB rep" { category icb; icb @north_icb }
}
''', "Issue 20 regime 2026: every finding of this regime is at most a warning", "STA012 (DPH missing) still found, at warning at most")

# ================= 4. STA014 =================
def sta014(name, pct, icbs, exp, note):
    mark = "expect: STA014" if exp else "ok: STA014"
    regards = "\n".join(f'    regard {{ party @{b}; by [joint_forward_plan, budget_setting] }}' for b in ("shire",) + icbs)
    case(name, ["STA014", "ICG"], TWO_SYS.replace("REG", "2022") + split_auth(pct) + f'''
authority south_shire "South Shire" {{ kind county; tier upper; population 1_000_000; share @south 100% }}
hwb shire_hwb "Shire HWB" {{    # {mark}
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
{regards}
}}
''', "Issue 20 STA014 (LGPIHA s116B: each ICB whose area includes any part of the authority's area)", note)
sta014("c35_sta014_4_9pct_needs_regard_for_south_icb", 4.9, ("north_icb",), True, "4.9%: South ICB's regard missing")
sta014("c36_sta014_0pct_no_regard_needed", 0, ("north_icb",), False, "0%: not needed")
sta014("c37_sta014_4_9pct_both_regards", 4.9, ("north_icb", "south_icb"), False, "both present: satisfied")
sta014("c38_sta014_exactly_5pct_missing", 5, ("north_icb",), True, "5%: finding")

# ================= 5. STA016 expiry =================
def sta016(name, asof, end, exp, note):
    mark = "expect: STA016" if exp else "ok: STA016"
    start = str(int(end[:4]) - 5) + end[4:]
    case(name, ["STA016", "ICG"], f'''
# as-of: {asof}
system north "North ICS" {{ regime 2022 }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{ system @north }}
hwb shire_hwb "Shire HWB" {{ system @north; authority @shire; functions [jsna, jhws] }}
strategy jfp "Joint forward plan" {{
    system @north
    type joint_forward_plan
    owner @north_icb
    period {start} to {end}    # {mark}
    published 2021-06-30
    hwb_opinion [@shire_hwb]
}}
''', "Issue 20 STA016 (a JFP whose period has ended as of --as-of is not a plan for the coming year)", note)
sta016("c40_sta016_plan_ended_yesterday", "2026-03-31", "2026-03-30", True, "period ended the day before the as-of date: finding (at the period line)")
sta016("c41_sta016_plan_ends_today", "2026-03-31", "2026-03-31", False, "period ends on the as-of date: still in force that day")
sta016("c42_sta016_plan_ends_tomorrow", "2026-03-31", "2026-04-01", False, "ends tomorrow: in force")
sta016("c43_sta016_same_plan_asof_before_end", "2026-03-29", "2026-03-30", False, "same plan as c40 but as-of the day before it ends: no finding")

# ================= 6. New statutory duties =================
SRC_D = "Issue 20 statutory duties (LGPIHA s116ZB(2)/(4)/(7), s116ZA(3); NHS Act Sch 1B para 6, s14Z30, s14Z52(2)); schema.rs (duties branch) for the keys"
ICS_HEAD = '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" { system @north }
icp north_icp "North ICP" { system @north; established_by [@north_icb, @shire]; quorum 3
    member "Chair" { role chair }
    member "ICB" { category icb }
    member "Shire" { authority @shire }
}
'''
def ics(name, body_lines, header_mark, note, regime="2022", sel=("STA026", "STA027", "STA028")):
    case(name, list(sel) + ["ICG"], ICS_HEAD.replace("REG", regime) + f'''
strategy ics "Integrated care strategy" {{    {header_mark}
    system @north
    type integrated_care_strategy
    owner @north_icp
{body_lines}
}}
''', SRC_D, note)
ics("c50_sta026_027_028_all_stated", '''    pooled_arrangements considered    # ok: STA026
    involved [healthwatch, local_people]    # ok: STA027
    published 2023-03-31    # ok: STA028''', "# ok: STA026, STA027, STA028", "all three duties evidenced: no finding")
ics("c51_sta026_not_considered", '''    pooled_arrangements not_considered    # expect: STA026
    involved [healthwatch, local_people]
    published 2023-03-31''', "", "s75 arrangements recorded as not considered: STA026 at that line")
ics("c52_sta026_027_028_absent", "    priority p1 \"Falls\" { metric \"x\" }", "# expect: STA026, STA027, STA028", "none stated: three findings at the strategy header")
ics("c53_sta027_no_local_people", '''    pooled_arrangements considered
    involved [healthwatch, vcse]    # expect: STA027
    published 2023-03-31''', "", "Healthwatch but not people who live or work in the area: STA027 at the list")
ics("c54_sta027_no_healthwatch", '''    pooled_arrangements considered
    involved [local_people, nhs_providers]    # expect: STA027
    published 2023-03-31''', "", "local people but not Healthwatch (regime 2022): STA027 at the list")
ics("c55_sta026_2026_icp_exists_duty_kept", '''    involved [healthwatch, local_people]
    published 2023-03-31''', "# expect: STA026", "regime 2026, voluntary ICP's strategy still lacking s75 consideration: the dossier says keep s116ZB-based rules until the Bill's text is confirmed (HB03/HB07) — judgment call; warning at most", regime="2026")
# add max-severity to c55 afterwards
# STA029
def sta029(name, chair_extra, mark, note):
    case(name, ["STA029", "ICG"], f'''
system north "North ICS" {{ regime 2022 }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{
    system @north
    member "Chair" {{
        role chair
        appointed_by nhs_england
        approved_by secretary_of_state
{chair_extra}
    }}
}}
''', SRC_D, note)
sta029("c56_sta029_nhse_with_sos_approval", "        removable_by [nhs_england]    # ok: STA029\n        removal_approved_by secretary_of_state    # ok: STA029", "", "NHS England with the SoS's approval: satisfied")
sta029("c57_sta029_board_may_remove", "        removable_by [nhs_england, icb_board]    # expect: STA029\n        removal_approved_by secretary_of_state", "", "the board may also remove the chair: only NHSE may: finding at removable_by")
sta029("c58_sta029_sos_removes", "        removable_by [secretary_of_state]    # expect: STA029\n        removal_approved_by secretary_of_state", "", "SoS instead of NHSE (regime 2022): finding")
# STA032
def sta032(name, quorum_line, header_mark, note):
    case(name, ["STA032", "ICG"], f'''
system north "North ICS" {{ regime 2022 }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{ system @north }}
icp north_icp "North ICP" {{    {header_mark}
    system @north
    established_by [@north_icb, @shire]
{quorum_line}
    member "Chair" {{ role chair }}
    member "ICB" {{ category icb }}
    member "Shire" {{ authority @shire }}
    member "VCSE" {{ category vcse }}
}}
''', SRC_D, note)
sta032("c59_sta032_quorum_stated", "    quorum 3    # ok: STA032", "", "quorum 3 of 4 members: satisfied")
sta032("c60_sta032_no_quorum", "", "# expect: STA032", "no quorum: finding at the ICP header")
# STA033
def sta033(name, conflicts, mark, note, hdr=""):
    case(name, ["STA033", "ICG"], f'''
system north "North ICS" {{ regime 2022 }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{    {hdr}
    system @north
{conflicts}
}}
''', SRC_D, note)
sta033("c61_sta033_register_no", "    conflicts { register no; la_partner_protocol yes }    # expect: STA033", "", "`register no`: finding")
sta033("c62_sta033_register_yes", "    conflicts { register yes; la_partner_protocol yes }    # ok: STA033", "", "`register yes`: satisfied")
# STA034
def sta034(name, contents_line, hdr, note, regime="2022"):
    case(name, ["STA034", "ICG"], f'''
system north "North ICS" {{ regime {regime} }}
authority shire "Shire" {{ kind county; tier upper; population 1_000_000; share @north 100% }}
icb north_icb "NHS North ICB" {{ system @north }}
hwb shire_hwb "Shire HWB" {{ system @north; authority @shire; functions [jsna, jhws] }}
strategy jfp "Joint forward plan" {{    {hdr}
    system @north
    type joint_forward_plan
    owner @north_icb
    period 2026-04-01 to 2031-03-31
    published 2026-06-30
    hwb_opinion [@shire_hwb]
{contents_line}
}}
''', SRC_D, note)
sta034("c63_sta034_all_contents", "    contents [health_services, general_duties, financial_duties, jhws_steps, children_young_people, victims_of_abuse]    # ok: STA034", "", "all of s14Z52(2)'s contents: satisfied")
sta034("c64_sta034_missing_victims", "    contents [health_services, general_duties, financial_duties, jhws_steps, children_young_people]    # expect: STA034", "", "victims of abuse missing: finding at the list")
sta034("c65_sta034_missing_financial_duties", "    contents [health_services, general_duties, jhws_steps, children_young_people, victims_of_abuse]    # expect: STA034", "", "(b)'s financial limb missing: finding")
sta034("c66_sta034_absent", "", "# expect: STA034", "no contents: finding at the header")

# ================= 7. Dated shares =================
SRC_S = "Issue 20 dates on shares (a share holds on the dates it states; --as-of; 100% on any one day; overlaps/gaps diagnosed)"
DS_HEAD = '''system north "North ICS" { regime 2022 }
system south "South ICS" { regime 2022 }
system east "East ICS" { regime 2022 }
icb north_icb "NHS North ICB" { system @north }
icb south_icb "NHS South ICB" { system @south }
icb east_icb "NHS East ICB" { system @east }
authority other_n "Other N" { kind unitary; tier upper; population 100_000; share @north 100% }
authority other_s "Other S" { kind unitary; tier upper; population 100_000; share @south 100% }
authority other_e "Other E" { kind unitary; tier upper; population 100_000; share @east 100% }
'''
def ds(name, asof, shares, hdr, note, sel=("ICG",)):
    case(name, list(sel), f"# as-of: {asof}\n" + DS_HEAD + f'''
authority shire "Shire" {{    {hdr}
    kind county
    tier upper
    population 1_000_000
{shares}
}}
''', SRC_S, note)
ds("c70_shares_until_day_before_from", "2026-03-31",
   "    share @north 56% until 2026-03-31    # ok: ICG006, ICG022, ICG023\n    share @south 44% until 2026-03-31    # ok: ICG022, ICG023\n    share @east 100% from 2026-04-01    # ok: ICG006, ICG022, ICG023",
   "# ok: ICG014", "the issue's own example: until 2026-03-31 then from 2026-04-01: no overlap, no gap, 100% on each day")
ds("c71_shares_until_day_before_from_asof_after", "2026-04-01",
   "    share @north 56% until 2026-03-31    # ok: ICG006, ICG022, ICG023\n    share @south 44% until 2026-03-31    # ok: ICG022, ICG023\n    share @east 100% from 2026-04-01    # ok: ICG006, ICG022, ICG023",
   "# ok: ICG014", "same, as-of the first day of the new share")
ds("c72_shares_overlap_one_day", "2026-06-01",
   "    share @north 100% until 2026-04-01\n    share @east 100% from 2026-04-01    # expect: ICG022",
   "", "until 2026-04-01 and from 2026-04-01: both hold on 2026-04-01: overlap (reported at the later share)")
ds("c73_shares_gap_one_day", "2026-06-01",
   "    share @north 100% until 2026-03-30\n    share @east 100% from 2026-04-01",
   "# expect: ICG023", "until 2026-03-30, from 2026-04-01: 2026-03-31 has no share: gap (reported at the authority header: a missing share)")
ds("c74_shares_gap_day_asof", "2026-03-31",
   "    share @north 100% until 2026-03-30\n    share @east 100% from 2026-04-01",
   "# expect: ICG014, ICG023", "as-of the gap day: no share holds: 0% that day, ICG014 at the authority (plus the gap ICG023)")
ds("c75_shares_over_100_on_the_day", "2026-04-01",
   "    share @north 60%\n    share @south 50% from 2026-04-01",
   "# expect: ICG006", "60% every day + 50% from 2026-04-01: 110% on the as-of day: ICG006 (at the header or a share line: we expect the header)")
ds("c76_shares_under_100_before_new_share", "2026-03-31",
   "    share @north 60%    # ok: ICG006\n    share @south 40% from 2026-04-01    # ok: ICG006",
   "# expect: ICG014", "same shape, as-of the day before: 60%: ICG014, not ICG006")
ds("c77_undated_plus_dated_sum_100", "2026-06-01",
   "    share @north 60%    # ok: ICG006\n    share @south 40% until 2026-03-31    # ok: ICG022, ICG023\n    share @east 40% from 2026-04-01    # ok: ICG006, ICG022, ICG023",
   "# ok: ICG014", "an undated share plus a dated hand-over: 100% every day")

ds("c84_shares_overlap_one_day_same_system", "2026-06-01",
   "    share @north 60% until 2026-04-01\n    share @north 100% from 2026-04-01    # expect: ICG022\n    share @south 40% until 2026-03-31",
   "", "the same system's share given twice for 2026-04-01: overlap")
ds("c85_shares_overlap_asof_overlap_day", "2026-04-01",
   "    share @north 100% until 2026-04-01\n    share @east 100% from 2026-04-01    # expect: ICG022",
   "# expect: ICG006", "as-of the overlapping day itself: 200% that day (ICG006 at the header, as in c75) and the overlap (ICG022)")

# typology by date
def ds_typ(name, asof, exp, note):
    hdr = "# expect: CCN081" if exp else "# ok: CCN081"
    case(name, ["CCN081", "ICG"], f"# as-of: {asof}\n" + DS_HEAD + f'''
authority shire "Shire" {{    {hdr}
    kind county
    tier upper
    population 1_000_000
    share @north 85% until 2026-03-31
    share @south 15% until 2026-03-31
    share @east 100% from 2026-04-01
}}
''', SRC_S + "; recommendations.md typology (Type 4: >=5% in an additional system)", note)
ds_typ("c78_typology_split_before_merger", "2026-03-31", True, "as-of 2026-03-31: 85/15: Type 4: CCN081")
ds_typ("c79_typology_single_after_merger", "2026-04-01", False, "as-of 2026-04-01: 100% in East: not Type 4")

# dated shares drive STA012 / STA014
def ds_sta(name, asof, rule, exp, note):
    mark = f"expect: {rule}" if exp else f"ok: {rule}"
    body = hwb_members(icbs=("north_icb",)) if rule == "STA012" else \
        '    regard { party @shire; by [budget_setting] }\n    regard { party @north_icb; by [joint_forward_plan] }'
    case(name, [rule, "ICG"], f"# as-of: {asof}\n" + DS_HEAD + f'''
authority shire "Shire" {{
    kind county
    tier upper
    population 1_000_000
    share @north 90% until 2026-03-31
    share @south 10% until 2026-03-31
    share @north 100% from 2026-04-01
}}
hwb shire_hwb "Shire HWB" {{    # {mark}
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
{body}
}}
''', SRC_S + "; issue 20 (every rule that reads shares uses --as-of)", note)
ds_sta("c80_sta012_dated_share_before", "2026-03-31", "STA012", True, "as-of 2026-03-31: 10% in South: South ICB rep missing")
ds_sta("c81_sta012_dated_share_after", "2026-04-01", "STA012", False, "as-of 2026-04-01: wholly in North: satisfied")
ds_sta("c82_sta014_dated_share_before", "2026-03-31", "STA014", True, "as-of 2026-03-31: South ICB regard missing")
ds_sta("c83_sta014_dated_share_after", "2026-04-01", "STA014", False, "as-of 2026-04-01: satisfied")

# ================= 8. Regime 2026 =================
SRC_R = "Issue 20 regime 2026 (Health Bill clause 21, as introduced); dossier HB02/HB03"
def r26(name, body, note, sel, regime="2026"):
    case(name, list(sel) + ["ICG"], ("# max-severity: warning\n" if regime == "2026" else "") + body.replace("REG", regime), SRC_R, note)

MSA2 = '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
authority msa_a "A Combined County Authority" { kind combined; tier strategic; mayor yes; share @north 60% }
authority msa_b "B Combined Authority" { kind combined; tier strategic; mayor yes; share @north 40% }
'''
r26("c90_sta030_two_msas_one_nominee", MSA2 + '''icb north_icb "NHS North ICB" {    # expect: STA030
    system @north
    member "Mayoral member" { role member; nominated_by mayor; authority @msa_a }
}
''', "two mayoral strategic authorities, one nominee: STA030 naming B", ["STA030"])
r26("c91_sta030_two_msas_two_nominees", MSA2 + '''icb north_icb "NHS North ICB" {    # ok: STA030, STA006
    system @north
    member "Mayoral member A" { role member; nominated_by mayor; authority @msa_a }
    member "Mayoral member B" { role member; nominated_by mayor; authority @msa_b }
}
''', "one nominee each; no LA partner member, which is no longer required: no STA030, no STA006", ["STA030", "STA006"])
r26("c92_sta030_borough_mayor_not_strategic", '''system north "North ICS" { regime REG }
authority borough "Borough" { kind london_borough; tier upper; population 300_000; mayor yes; share @north 100% }
icb north_icb "NHS North ICB" {    # ok: STA030
    system @north
}
''', "a borough's elected mayor is not a strategic authority's mayor: no STA030", ["STA030"])
r26("c93_sta030_strategic_without_mayor", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
authority fsa "Foundation Strategic Authority" { kind combined; tier strategic; mayor no; share @north 100% }
icb north_icb "NHS North ICB" {    # ok: STA030
    system @north
}
''', "a strategic authority without a mayor: nothing required", ["STA030"])
r26("c94_sta030_msa_small_share", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
authority msa_a "A Combined Authority" { kind combined; tier strategic; mayor yes; share @north 3% }
icb north_icb "NHS North ICB" {    # expect: STA030
    system @north
}
''', "MSA only 3% in the ICB's area: 'wholly or partly': nominee required", ["STA030"])
r26("c95_sta030_not_in_2025", MSA2 + '''icb north_icb "NHS North ICB" {    # ok: STA030
    system @north
    member "LA partner" { role partner; nominated_by local_authorities; authority @shire }
}
''', "regime 2025: the Bill's rule does not run", ["STA030"], regime="2025")
r26("c96_sta030_nominee_with_wrong_authority", MSA2 + '''icb north_icb "NHS North ICB" {    # expect: STA030
    system @north
    member "Mayoral member A" { role member; nominated_by mayor; authority @msa_a }
    member "Mayoral member A2" { role member; nominated_by mayor; authority @msa_a }
}
''', "two nominees, both of A's mayor: B still missing", ["STA030"])
NOICP = '''system north "North ICS" { regime REG }    # SYS
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" {    # HDR
    system @north
}
hwb shire_hwb "Shire HWB" {
    system @north
    authority @shire
    functions [jsna, jhws, bcf_plan]
}
'''
r26("c97_no_icp_2026", NOICP.replace("# HDR", "").replace("# SYS", "# ok: STA008, STA009, STA013"), "ICB without ICP under 2026: no STA008/009/013, and no ICP-only findings anywhere (CCN121, CCN141, CCN202)", ["STA008", "STA009", "STA013", "CCN121", "CCN141", "CCN202"])
case("c98_no_icp_2025", ["STA008", "ICG"], NOICP.replace("REG", "2025").replace("# HDR", "").replace("# SYS", "# expect: STA008"), SRC_R + "; recommendations.md STA008 (regime 2025: advice)",
     "ICB without ICP under 2025: STA008 (advice) — location: system header")
case("c99_no_icp_2022", ["STA008", "ICG"], NOICP.replace("REG", "2022").replace("# HDR", "").replace("# SYS", "# expect: STA008"), SRC_R + "; recommendations.md STA008",
     "ICB without ICP under 2022: STA008 (error) — location: system header")
r26("c100_icp_exists_2026_ccn202_applies", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" { system @north }
icp north_icp "North ICP" {    # expect: CCN202
    system @north
    statutory no
    established_by [@north_icb, @shire]
}
''', "voluntary ICP exists under 2026: ICP-only recommendation CCN202 still applies (no engagement block)", ["CCN202"])
r26("c101_icp_exists_2026_sta008_party_missing", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
authority town "Town" { kind unitary; tier upper; population 200_000; share @north 100% }
icb north_icb "NHS North ICB" { system @north }
icp north_icp "North ICP" {
    system @north
    established_by [@north_icb, @shire]    # expect: STA008
}
''', "an ICP exists under 2026 but one upper-tier authority is not a party: STA008 applies where an ICP exists (warning at most)", ["STA008"])
r26("c102_2026_la_partner_not_required", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" {    # ok: STA006, STA030
    system @north
    member "Trusts" { role partner; nominated_by trusts }
    member "GPs" { role partner; nominated_by primary_medical_services }
}
''', "no mayoral strategic authority, no LA partner member: 2026 requires neither (dossier HB02)", ["STA006", "STA030"])

r26("c103_ccn113_2026_old_list_word_capped", '''system north "North ICS" { regime REG }
authority shire "Shire" { kind county; tier upper; population 1_000_000; share @north 100% }
icb north_icb "NHS North ICB" {
    system @north
    disqualify [councillor, undermines_independence]    # expect: CCN113
}
''', "CCN113 (an error rule) with a second-edition list word under regime 2026: still found, at most a warning", ["CCN113"])

# finalize
import shutil
for name, select, text, source, expect in CASES:
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    if name == "c55_sta026_2026_icp_exists_duty_kept":
        text = "# max-severity: warning\n" + text
    with open(os.path.join(d, "ws.icg"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "icslint.yaml"), "w") as f:
        f.write("select: [" + ", ".join(select) + "]\n")
with open(os.path.join(ROOT, "cases.tsv"), "w") as f:
    for name, select, text, source, expect in CASES:
        f.write(f"{name}\t{source}\t{expect}\n")
print(len(CASES), "cases")
