// Verify one of the platform's credentials with Digital Bazaar's libraries, offline.
//
// Input (stdin, JSON): {"credential": {...}, "documents": {"<url or did>": {...}}}: our DID
// document and status list credentials by their URL. Contexts come from the platform's bundled
// files; any other URL is refused, so nothing is fetched over the network.
// Output (stdout, JSON): {"signature": bool, "verified": bool, "revoked": bool|null, "errors": [...]}
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = dirname(fileURLToPath(import.meta.url));
const bundled = join(here, '..', '..', 'ce_platform', 'credentials', 'contexts');
const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.json',
  'https://www.w3.org/ns/did/v1': 'did-v1.json',
};

const input = JSON.parse(readFileSync(0, 'utf8'));
const documents = input.documents || {};

async function documentLoader(url) {
  if(CONTEXTS[url]) {
    const document = JSON.parse(readFileSync(join(bundled, CONTEXTS[url]), 'utf8'));
    return {contextUrl: null, documentUrl: url, document};
  }
  const [base, fragment] = url.split('#');
  if(base.startsWith('did:') && documents[base]) {
    const did = documents[base];
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: did};
    }
    const method = (did.verificationMethod || []).find(m => m.id === url);
    if(method) {
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
      };
    }
  }
  if(documents[url]) {
    return {contextUrl: null, documentUrl: url, document: documents[url]};
  }
  throw new Error(`refused to load ${url}: not a bundled or given document`);
}

function suite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

function messages(result) {
  const errors = [];
  if(result.error) {
    for(const e of [].concat(result.error.errors || result.error)) {
      errors.push(String(e && e.message || e));
    }
  }
  for(const r of result.results || []) {
    if(r.error) {
      errors.push(String(r.error.message || r.error));
    }
  }
  return errors;
}

const credential = input.credential;
// The signature alone: the status is looked at below, so here it is taken as fine.
const signatureOnly = await vc.verifyCredential({
  credential, suite: suite(), documentLoader,
  checkStatus: async () => ({verified: true})
});
const withStatus = await vc.verifyCredential({
  credential, suite: suite(), documentLoader,
  checkStatus: options => checkStatus({...options, verifyStatusListCredential: true})
});
let revoked = null;
const status = withStatus.statusResult;
if(status && Array.isArray(status.results) && status.results.length) {
  revoked = status.results.some(r => r.status === true);
} else if(status && typeof status.status === 'boolean') {
  revoked = status.status;
}
process.stdout.write(JSON.stringify({
  signature: signatureOnly.verified,
  verified: withStatus.verified,
  revoked,
  errors: [...messages(signatureOnly), ...messages(withStatus)],
  statusResult: status ? JSON.parse(JSON.stringify(status, (k, v) =>
    v instanceof Error ? v.message : v)) : null,
}) + '\n');
