//! Query-time synonyms: how officers name things versus how control lists word them.
//!
//! Each group lists phrases that mean the same; a query phrase from a group also searches the others.
//! Cards carry their own trade names and synonyms; this table covers the official wording of the lists.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::analysis::analyse;

const GROUPS: &[&[&str]] = &[
    &["cnc", "numerical control", "numerically controlled"],
    &["machining centre", "milling machine", "machine tool"],
    &["lathe", "turning machine"],
    &["prepreg", "pre-impregnated"],
    &["carbon fibre", "carbon fiber", "graphite fibre"],
    &["uav", "drone", "unmanned aerial vehicle", "unmanned aircraft"],
    &["auv", "unmanned underwater vehicle", "submersible"],
    &["rov", "remotely operated vehicle"],
    &["night vision", "image intensifier"],
    &["thermal camera", "thermal imager", "infrared camera", "thermal imaging"],
    &["imu", "inertial measurement unit", "inertial navigation"],
    &["gyro", "gyroscope"],
    &["gps", "gnss", "satellite navigation"],
    &["hsm", "hardware security module", "cryptographic module"],
    &["encryption", "cryptography", "cryptographic"],
    &["fpga", "field programmable gate array", "programmable logic"],
    &["adc", "analog to digital converter", "analogue-to-digital converter"],
    &["dac", "digital to analog converter"],
    &["mmic", "monolithic microwave integrated circuit"],
    &["twt", "travelling wave tube", "traveling-wave tube"],
    &["cmm", "coordinate measuring machine", "dimensional inspection"],
    &["edm", "electrical discharge machine", "spark erosion"],
    &["hip", "isostatic press"],
    &["centrifuge", "centrifugal separator"],
    &["fermenter", "fermentor", "bioreactor"],
    &["freeze dryer", "lyophiliser", "lyophilizer"],
    &["glass lined", "glass-lined reactor", "reaction vessel"],
    &["nerve agent", "chemical weapon", "toxic chemical"],
    &["precursor", "chemical weapons precursor"],
    &["pathogen", "biological agent", "virus", "bacteria"],
    &["toxin", "biological toxin"],
    &["rocket motor", "rocket engine", "propulsion"],
    &["missile", "rocket"],
    &["jet engine", "gas turbine", "turbofan", "aero engine"],
    &["satellite", "spacecraft"],
    &["sonar", "hydrophone", "underwater acoustic"],
    &["laser", "optical amplifier"],
    &["radar", "radiolocation"],
    &["body armour", "bulletproof vest", "ballistic protection"],
    &["gun", "firearm", "rifle", "pistol"],
    &["ammo", "ammunition", "cartridge"],
    &["scope", "riflescope", "telescopic sight"],
    &["explosive", "energetic material"],
    &["supercomputer", "high performance computer"],
    &["chip", "integrated circuit", "microcircuit"],
    &["jammer", "jamming"],
    &["imsi catcher", "interception", "stingray"],
    &["spyware", "intrusion software"],
    &["heavy water", "deuterium oxide"],
    &["enrichment", "isotope separation"],
    &["superalloy", "nickel alloy", "inconel"],
    &["maraging", "high strength steel"],
    &["valve", "valves"],
    &["pump", "pumps"],
    &["vacuum pump", "vacuum"],
    &["furnace", "oven", "kiln"],
    &["robot", "manipulator"],
];

/// One alternative wording: its analysed terms, all of which must match.
pub type Alternative = Vec<String>;

/// A phrase of analysed terms and the alternatives it brings.
#[derive(Debug)]
pub struct SynonymRule {
    pub phrase: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

fn terms_of(phrase: &str) -> Vec<String> {
    analyse(phrase).into_iter().map(|t| t.term).collect()
}

/// Synonym rules indexed by the first term of their phrase.
pub fn rules() -> &'static HashMap<String, Vec<SynonymRule>> {
    static RULES: OnceLock<HashMap<String, Vec<SynonymRule>>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: HashMap<String, Vec<SynonymRule>> = HashMap::new();
        for group in GROUPS {
            let phrases: Vec<Vec<String>> = group.iter().map(|p| terms_of(p)).collect();
            for phrase in &phrases {
                let Some(first) = phrase.first() else { continue };
                let alternatives = phrases.iter().filter(|other| *other != phrase).cloned().collect::<Vec<_>>();
                rules.entry(first.clone()).or_default().push(SynonymRule { phrase: phrase.clone(), alternatives });
            }
        }
        for list in rules.values_mut() {
            list.sort_by_key(|rule| std::cmp::Reverse(rule.phrase.len()));
        }
        rules
    })
}

/// The synonym rules whose phrase starts at `terms[at]`, longest first.
pub fn rules_at<'a>(terms: &[String], at: usize) -> impl Iterator<Item = &'a SynonymRule> + use<'a, '_> {
    let candidates = rules().get(&terms[at]).map(Vec::as_slice).unwrap_or(&[]);
    candidates.iter().filter(move |rule| terms[at..].starts_with(&rule.phrase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_find_their_alternatives() {
        let terms = terms_of("cnc lathe");
        let found: Vec<_> = rules_at(&terms, 0).collect();
        assert_eq!(found.len(), 1);
        assert!(found[0].alternatives.contains(&terms_of("numerically controlled")));
        let found: Vec<_> = rules_at(&terms, 1).collect();
        assert!(found[0].alternatives.contains(&terms_of("turning machine")));
    }

    #[test]
    fn uk_spelling_in_a_phrase_still_matches() {
        let terms = terms_of("body armour");
        assert!(rules_at(&terms, 0).next().is_some());
    }
}
