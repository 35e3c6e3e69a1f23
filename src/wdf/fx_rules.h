/*
 * fx_rules.h - the Framework's verifier rules (registered once by fx_rules.c).
 */
#ifndef OPENWDF_FX_RULES_H
#define OPENWDF_FX_RULES_H

void fx_rules_register(void);

#endif /* OPENWDF_FX_RULES_H */
