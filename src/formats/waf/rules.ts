import type { EcsObject, EcsValue } from '../../ecs/event.js';
import { isoFromMillis } from '../../ecs/time.js';
import { arr, obj, str, type Json } from '../shared/json-record.js';

/**
 * What a WAF record says about rules beyond the terminating one: rule groups (with their own
 * terminating, non-terminating and excluded rules), rate-based rules and labels. Raw lists are kept
 * as JSON; ids and names are also flattened to keyword lists so they can be queried directly.
 */
export interface RuleSummary {
  /** The rule inside a rule group that terminated the request, when a group did. */
  groupTerminating?: { groupId?: string; ruleId: string };
  waf: EcsObject;
}

function pushUnique(list: string[], v: string | undefined): void {
  if (v !== undefined && !list.includes(v)) list.push(v);
}

function nonEmpty(v: unknown): EcsValue | undefined {
  return Array.isArray(v) && v.length ? (v as EcsValue) : undefined;
}

export function summarizeRules(record: Json): RuleSummary {
  const waf: EcsObject = {};
  const out: RuleSummary = { waf };
  const groupIds: string[] = [];
  const nonTerminating: string[] = [];
  const excluded: string[] = [];

  for (const r of arr(record.nonTerminatingMatchingRules)) pushUnique(nonTerminating, str(obj(r)?.ruleId));

  for (const g of arr(record.ruleGroupList)) {
    const group = obj(g);
    if (!group) continue;
    const groupId = str(group.ruleGroupId);
    let matched = false;
    const terminating = obj(group.terminatingRule);
    const terminatingId = str(terminating?.ruleId);
    if (terminatingId) {
      out.groupTerminating = groupId ? { groupId, ruleId: terminatingId } : { ruleId: terminatingId };
      matched = true;
    }
    for (const r of arr(group.nonTerminatingMatchingRules)) {
      pushUnique(nonTerminating, str(obj(r)?.ruleId));
      matched = true;
    }
    for (const r of arr(group.excludedRules)) {
      pushUnique(excluded, str(obj(r)?.ruleId));
      matched = true;
    }
    if (matched) pushUnique(groupIds, groupId);
  }

  const rateBased: string[] = [];
  for (const r of arr(record.rateBasedRuleList)) {
    const rule = obj(r);
    pushUnique(rateBased, str(rule?.rateBasedRuleName) ?? str(rule?.rateBasedRuleId));
  }
  const labels: string[] = [];
  for (const l of arr(record.labels)) pushUnique(labels, str(obj(l)?.name));

  const matchDetails = nonEmpty(record.terminatingRuleMatchDetails);
  if (matchDetails) waf.terminating_rule_match_details = matchDetails;
  const groups = nonEmpty(record.ruleGroupList);
  if (groups) waf.rule_group_list = groups;
  if (groupIds.length) waf.rule_group_ids = groupIds;
  const nonTerminatingRaw = nonEmpty(record.nonTerminatingMatchingRules);
  if (nonTerminatingRaw) waf.non_terminating_matching_rules = nonTerminatingRaw;
  if (nonTerminating.length) waf.non_terminating_rule_ids = nonTerminating;
  if (excluded.length) waf.excluded_rule_ids = excluded;
  const rateRaw = nonEmpty(record.rateBasedRuleList);
  if (rateRaw) waf.rate_based_rule_list = rateRaw;
  if (rateBased.length) waf.rate_based_rule_names = rateBased;
  if (labels.length) waf.labels = labels;
  return out;
}

/** `captchaResponse` / `challengeResponse`: `{responseCode, solveTimestamp (epoch s), failureReason}`. */
export function tokenResponse(v: unknown): EcsObject | undefined {
  const r = obj(v);
  if (!r) return undefined;
  const out: EcsObject = {};
  if (typeof r.responseCode === 'number') out.response_code = r.responseCode;
  if (typeof r.solveTimestamp === 'number' && r.solveTimestamp > 0) out.solve_timestamp = isoFromMillis(r.solveTimestamp * 1000);
  const reason = str(r.failureReason);
  if (reason) out.failure_reason = reason;
  return Object.keys(out).length ? out : undefined;
}
