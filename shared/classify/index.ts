/** Classification: rules as data turn a device's facts into attributes with confidence and evidence. */
export { compileRules, ATTRIBUTES, type AttributeName, type CompiledRule } from './compile';
export { classify, type Classification, type RoleAttribute, type UnmatchedFingerprint } from './classify';
export { combine, type Attribute, type AttributeEvidence, type Alternative, type Candidate } from './combine';
export { factsOf, factsFromCase, peerIndex, type DeviceFacts, type FactIn, type PeerIndex } from './facts';
export { applyClassification, type AttributeJson, type ClassifiedDeviceJson } from './apply';
export { matchRule, byKind } from './match';
export * from './taxonomy';
export type { RuleFileSpec, RuleSpec, CaseSpec } from './schema';
export { checkRuleCases } from './check';
export { checkRuleNames, type KnownNames } from './names';
export { collectFingerprints, type FingerprintRow } from './fingerprints';
export { Classifier } from './classifier';
