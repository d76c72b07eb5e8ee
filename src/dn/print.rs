//! The two printers: RFC 4514 text and the MongoDB server username.
//!
//! RFC 4514 §2: RDNs in reverse DER order joined by `,`, values in a multi-valued RDN joined by
//! `+` (here in reverse SET order, as OpenSSL prints them), the OpenSSL short name or the
//! dotted OID, and the value with `"+,;<>\` escaped anywhere, a leading space or `#` and a
//! trailing space escaped (§2.4). Beyond the minimum, every control character (Unicode Cc:
//! C0, DEL, C1) is written as `\XX` hex pairs (NUL must be; the rest keeps log lines on one
//! line). Non-string values print as `#` and the hex of their whole BER encoding (§2.4).
//!
//! The server username follows the MongoDB server's own derivation: its RFC 2253-style
//! escaping, after its RFC 4518 preparation, with every byte ≥ 0x80 as uppercase `\XX`. One
//! deliberate difference: a value that is not a directory string prints as `#hex` of its whole
//! BER encoding, tag included, exactly as in RFC 4514 text, where the server would print the
//! content octets and let an INTEGER or OCTET STRING read like the string its bytes spell.

use super::{AttributeValue, AvaRec, DistinguishedName, OidRef, attr, prep};

use crate::hex::{self, Case};

/// Writes the attribute type: short name, else dotted OID.
pub(crate) fn write_type(dn: &DistinguishedName, oid: OidRef, out: &mut String) {
    match oid {
        OidRef::Known(i) => out.push_str(attr::info(i).map_or("", |a| a.name)),
        OidRef::Other(..) => attr::write_dotted(dn.oid_bytes(oid), out),
    }
}

/// Walks the attributes in text order, calling `f` with the separator to print before each.
fn for_each_text_order(dn: &DistinguishedName, mut f: impl FnMut(Option<char>, &AvaRec)) {
    let mut prev: Option<&AvaRec> = None;
    for rec in dn.avas.iter().rev() {
        let sep = prev.map(|p| if p.rdn_start { ',' } else { '+' });
        f(sep, rec);
        prev = Some(rec);
    }
}

pub(crate) fn write_rfc4514(dn: &DistinguishedName, out: &mut String) {
    for_each_text_order(dn, |sep, rec| {
        if let Some(c) = sep {
            out.push(c);
        }
        write_type(dn, rec.oid, out);
        out.push('=');
        write_value(dn.value(rec.value), out);
    });
}

/// RFC 4514 §2.4 value text (or `#hex`).
pub(crate) fn write_value(value: AttributeValue<'_>, out: &mut String) {
    match value {
        AttributeValue::Text { text, .. } => escape_rfc4514(text, out),
        AttributeValue::Ber(ber) => {
            out.push('#');
            for &b in ber {
                hex::push(out, b, Case::Lower);
            }
        }
    }
}

fn needs_escape(b: u8) -> bool {
    matches!(b, b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'\\') || b < 0x20 || b == 0x7f
}

pub(crate) fn escape_rfc4514(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let plain = !bytes.iter().copied().any(needs_escape)
        && !matches!(bytes.first(), Some(b' ' | b'#'))
        && bytes.last() != Some(&b' ')
        && (text.is_ascii() || !text.chars().any(char::is_control));
    if plain {
        out.push_str(text);
        return;
    }
    let last = bytes.len().saturating_sub(1);
    for (i, c) in text.char_indices() {
        if c.is_control() {
            // C0, DEL and C1 controls as hex pairs: NUL must be (RFC 4514 §2.4), the others
            // keep a printed name on one line in logs.
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push('\\');
                hex::push(out, b, Case::Upper);
            }
            continue;
        }
        let ascii = u8::try_from(u32::from(c)).ok().filter(u8::is_ascii);
        match ascii {
            Some(b) if needs_escape(b) => {
                out.push('\\');
                out.push(c);
            }
            Some(b' ' | b'#') if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            Some(b' ') if i == last => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
}

pub(crate) fn server_username(dn: &DistinguishedName) -> String {
    let mut out = String::with_capacity(dn.text.len() + 8 * dn.avas.len());
    for_each_text_order(dn, |sep, rec| {
        if let Some(c) = sep {
            out.push(c);
        }
        write_type(dn, rec.oid, &mut out);
        out.push('=');
        match dn.value(rec.value) {
            AttributeValue::Text { text, .. } => {
                escape_server(prep::for_server(text).as_bytes(), &mut out);
            }
            // Deliberately not the server's behaviour (it prints the content octets, so an
            // INTEGER whose bytes spell `admin` reads `CN=admin`): a value that is not a
            // directory string prints as RFC 4514 `#hex` of its whole encoding, as `Display`
            // does, and so can never read as a string.
            value @ AttributeValue::Ber(_) => write_value(value, &mut out),
        }
    });
    out
}

/// MongoDB `escapeRfc2253`: the server's escaping of one prepared value.
pub(crate) fn escape_server(value: &[u8], out: &mut String) {
    let start = out.len();
    let last = value.len().saturating_sub(1);
    for (i, &b) in value.iter().enumerate() {
        if b >= 0x80 {
            out.push('\\');
            hex::push(out, b, Case::Upper);
        } else if matches!(b, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';')
            || (i == 0 && matches!(b, b' ' | b'#'))
        {
            out.push('\\');
            out.push(char::from(b));
        } else if i == last && b == b' ' && out.len() - start + 1 > 2 {
            out.push_str("\\ ");
        } else {
            out.push(char::from(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(v: &str) -> String {
        let mut s = String::new();
        escape_server(v.as_bytes(), &mut s);
        s
    }

    /// MongoDB `SSLManager.EscapeRFC2253` (vector A).
    #[test]
    fn mongodb_vector_a() {
        for (raw, printed) in [
            ("abc", "abc"),
            (" abc", r"\ abc"),
            ("#abc", r"\#abc"),
            ("a,c", r"a\,c"),
            ("a+c", r"a\+c"),
            ("a\"c", r#"a\"c"#),
            ("a\\c", r"a\\c"),
            ("a<c", r"a\<c"),
            ("a>c", r"a\>c"),
            ("a;c", r"a\;c"),
            ("abc ", r"abc\ "),
            ("a ", "a "),
            (" ", r"\ "),
            ("a=b#c", "a=b#c"),
        ] {
            assert_eq!(srv(raw), printed, "{raw:?}");
        }
        // Through the whole pipeline, from a DN whose CN has the raw value.
        for (raw, printed) in [(" abc", r"\ abc"), ("abc ", r"abc\ "), ("#abc", r"\#abc")] {
            let mut text = String::new();
            escape_rfc4514(raw, &mut text);
            let dn = DistinguishedName::parse(&format!("CN={text}")).unwrap();
            assert_eq!(dn.server_username(), format!("CN={printed}"));
        }
    }

    #[test]
    fn rfc4514_escaping() {
        for (raw, printed) in [
            ("plain", "plain"),
            (" lead", r"\ lead"),
            ("#x", r"\#x"),
            ("mid#dle", "mid#dle"),
            ("trail ", r"trail\ "),
            (" ", r"\ "),
            ("   ", r"\  \ "),
            ("a\0b", r"a\00b"),
            ("a\r\nb\u{7f}", r"a\0D\0Ab\7F"),
            ("next\u{85}line", r"next\C2\85line"),
            (r#"q"+,;<>\"#, r#"q\"\+\,\;\<\>\\"#),
            ("a=b", "a=b"),
            ("Lučić", "Lučić"),
        ] {
            let mut s = String::new();
            escape_rfc4514(raw, &mut s);
            assert_eq!(s, printed, "{raw:?}");
        }
    }

    /// MongoDB `DNParsingAndNormalization` (vector B), printed as the server would.
    #[test]
    fn mongodb_vector_b_usernames() {
        for (input, username) in [
            (
                "UID=jsmith,DC=example,DC=net",
                "UID=jsmith,DC=example,DC=net",
            ),
            (
                "OU=Sales+CN=J.  Smith,DC=example,DC=net",
                "OU=Sales+CN=J.  Smith,DC=example,DC=net",
            ),
            (
                "CN=server, O=, DC=example, DC=net",
                "CN=server,O=,DC=example,DC=net",
            ),
            (
                r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#,
                r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#,
            ),
            (
                "CN=Before\\0aAfter,O=tabs\tare\tspaces\u{200B},DC=\\07\\08example,DC=net",
                "CN=Before After,O=tabs are spaces,DC=example,DC=net",
            ),
            (
                r"CN=evil\,OU\=Kernel,O=MongoDB Inc.,L=New York City,ST=New York,C=US",
                r"CN=evil\,OU=Kernel,O=MongoDB Inc.,L=New York City,ST=New York,C=US",
            ),
            (r"CN= \ escaped spaces\20\  ", r"CN=\ escaped spaces \ "),
            ("CN=server, O=MongoDB Inc.", "CN=server,O=MongoDB Inc."),
            (r"CN=\#1 = \\#1", r"CN=\#1 = \\#1"),
            (r"CN== \#1", "CN== #1"),
            (r"CN=Lu\C4\8Di\C4\87", r"CN=Lu\C4\8Di\C4\87"),
            (
                r"CN = Калоян, O=مُنظّمة الدُّول المُصدِّرة للنّفْط, L=大田区\, 東京都",
                r"CN=\D0\9A\D0\B0\D0\BB\D0\BE\D1\8F\D0\BD,O=\D9\85\D9\8F\D9\86\D8\B8\D9\91\D9\85\D8\A9 \D8\A7\D9\84\D8\AF\D9\8F\D9\91\D9\88\D9\84 \D8\A7\D9\84\D9\85\D9\8F\D8\B5\D8\AF\D9\90\D9\91\D8\B1\D8\A9 \D9\84\D9\84\D9\86\D9\91\D9\81\D9\92\D8\B7,L=\E5\A4\A7\E7\94\B0\E5\8C\BA\, \E6\9D\B1\E4\BA\AC\E9\83\BD",
            ),
        ] {
            assert_eq!(
                DistinguishedName::parse(input).unwrap().server_username(),
                username,
                "{input}"
            );
        }
    }

    /// Issue 7 item 2: a value that is not a directory string is `#hex` of its whole encoding
    /// in both printers, never its content octets.
    #[test]
    fn non_string_values_print_as_hex_in_the_server_username_too() {
        for (input, printed) in [
            ("CN=#020561646d696e,O=x", "CN=#020561646d696e,O=x"),
            ("CN=#040561646d696e", "CN=#040561646d696e"),
            ("CN=#800561646d696e", "CN=#800561646d696e"),
            ("CN=#0c0161+O=#1a0162", "CN=a+O=#1a0162"),
        ] {
            let dn = DistinguishedName::parse(input).unwrap();
            assert_eq!(dn.server_username(), printed, "{input}");
        }
        let dn = DistinguishedName::parse("CN=#020561646d696e").unwrap();
        assert_eq!(dn.to_string(), dn.server_username());
    }

    #[test]
    fn display_round_trips_and_uses_openssl_names() {
        let dn = DistinguishedName::parse(
            "e=j@x.org+uid=jd,surname=Doe,givenname=J,1.2.3.4=#0403010203,streetAddress=1 Main,SERIALNUMBER=7",
        )
        .unwrap();
        assert_eq!(
            dn.to_string(),
            "emailAddress=j@x.org+UID=jd,SN=Doe,GN=J,1.2.3.4=#0403010203,street=1 Main,serialNumber=7"
        );
        assert_eq!(DistinguishedName::parse(&dn.to_string()).unwrap(), dn);
        assert_eq!(DistinguishedName::parse("").unwrap().to_string(), "");
    }

    // ---- MongoDB vector F: usernames the server builds from real certificates ----

    use rcgen::{CertificateParams, DnType, DnValue, KeyPair};

    /// A self-signed certificate whose subject has these single-valued RDNs, in DER order.
    fn cert_subject(rdns: &[(DnType, DnValue)]) -> Vec<u8> {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = rcgen::DistinguishedName::new();
        for (t, v) in rdns {
            dn.push(t.clone(), v.clone());
        }
        params.distinguished_name = dn;
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let (_, x) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
        x.subject().as_raw().to_vec()
    }

    fn utf8(s: &str) -> DnValue {
        DnValue::Utf8String(s.to_owned())
    }
    fn printable(s: &str) -> DnValue {
        DnValue::PrintableString(s.try_into().unwrap())
    }
    fn oid(arcs: &[u64]) -> DnType {
        DnType::CustomDnType(arcs.to_vec())
    }

    fn client_rdns() -> Vec<(DnType, DnValue)> {
        vec![
            (DnType::CountryName, printable("US")),
            (DnType::StateOrProvinceName, utf8("New York")),
            (DnType::LocalityName, utf8("New York City")),
            (DnType::OrganizationName, utf8("MongoDB")),
            (DnType::OrganizationalUnitName, utf8("KernelUser")),
            (DnType::CommonName, utf8("client")),
        ]
    }

    fn username(der: &[u8]) -> String {
        DistinguishedName::from_der(der).unwrap().server_username()
    }

    #[test]
    fn mongodb_vector_f1_f3_f4_f5_f6() {
        assert_eq!(
            username(&cert_subject(&client_rdns())),
            "CN=client,OU=KernelUser,O=MongoDB,L=New York City,ST=New York,C=US"
        );
        let mut f3 = client_rdns();
        f3.push((oid(&[1, 2, 3, 56]), utf8("RandoValue")));
        f3.push((oid(&[1, 2, 3, 45]), utf8("Value,Rando")));
        assert_eq!(
            username(&cert_subject(&f3)),
            r"1.2.3.45=Value\,Rando,1.2.3.56=RandoValue,CN=client,OU=KernelUser,O=MongoDB,L=New York City,ST=New York,C=US"
        );
        let f4 = [
            (DnType::CountryName, utf8(",+")),
            (DnType::StateOrProvinceName, utf8("\"\\<")),
            (DnType::LocalityName, utf8(" >")),
            (DnType::OrganizationName, utf8("; ")),
            (DnType::OrganizationalUnitName, utf8("Escape")),
            (DnType::CommonName, utf8("Test")),
        ];
        assert_eq!(
            username(&cert_subject(&f4)),
            r#"CN=Test,OU=Escape,O=\;\ ,L=\ \>,ST=\"\\\<,C=\,\+"#
        );
        let f5 = [
            (DnType::CommonName, utf8("Калоян")),
            (DnType::OrganizationalUnitName, utf8("Kernel Users")),
            (DnType::OrganizationName, utf8("MongoDB")),
            (DnType::LocalityName, utf8("New York City")),
            (DnType::StateOrProvinceName, utf8("New York")),
            (DnType::CountryName, printable("US")),
        ];
        assert_eq!(
            username(&cert_subject(&f5)),
            r"C=US,ST=New York,L=New York City,O=MongoDB,OU=Kernel Users,CN=\D0\9A\D0\B0\D0\BB\D0\BE\D1\8F\D0\BD"
        );
        let mut f6 = client_rdns();
        f6.push((
            oid(&[1, 2, 840, 113549, 1, 9, 1]),
            DnValue::Ia5String("example@mongodb.com".try_into().unwrap()),
        ));
        assert_eq!(
            username(&cert_subject(&f6)),
            "emailAddress=example@mongodb.com,CN=client,OU=KernelUser,O=MongoDB,L=New York City,ST=New York,C=US"
        );
    }

    /// F2: rcgen cannot write multi-valued RDNs, so the Name is encoded by hand in the order
    /// the server's output implies.
    #[test]
    fn mongodb_vector_f2_multivalue() {
        fn tlv(tag: u8, c: &[u8]) -> Vec<u8> {
            let mut v = vec![tag, c.len() as u8];
            v.extend_from_slice(c);
            v
        }
        fn ava(last_arc: u8, val: &str) -> Vec<u8> {
            [tlv(6, &[0x55, 4, last_arc]), tlv(0x0c, val.as_bytes())].concat()
        }
        let rdn1 = [
            tlv(0x30, &ava(3, "client")),
            tlv(0x30, &ava(10, "MongoDB")),
            tlv(0x30, &ava(11, "KernelUser")),
        ]
        .concat();
        let rdn2 = [
            tlv(0x30, &ava(6, "US")),
            tlv(0x30, &ava(8, "New York")),
            tlv(0x30, &ava(7, "New York City")),
        ]
        .concat();
        let der = tlv(0x30, &[tlv(0x31, &rdn1), tlv(0x31, &rdn2)].concat());
        assert_eq!(
            username(&der),
            "L=New York City+ST=New York+C=US,OU=KernelUser+O=MongoDB+CN=client"
        );
        assert_eq!(
            DistinguishedName::from_der(&der).unwrap().to_string(),
            "L=New York City+ST=New York+C=US,OU=KernelUser+O=MongoDB+CN=client"
        );
    }

    #[test]
    fn mongodb_vector_f7_all_the_oids() {
        let mut rdns = Vec::new();
        for n in (3..=54).chain([65, 72]) {
            let v = match n {
                6 => printable("US"),
                8 => utf8("NY"),
                _ => utf8(&format!("Datum-{n}")),
            };
            rdns.push((oid(&[2, 5, 4, n]), v));
        }
        let got = username(&cert_subject(&rdns));
        assert!(
            got.starts_with("role=Datum-72,pseudonym=Datum-65,dmdName=Datum-54,"),
            "{got}"
        );
        assert!(got.contains(",GN=Datum-42,name=Datum-41,"), "{got}");
        assert!(got.ends_with(
            ",title=Datum-12,OU=Datum-11,O=Datum-10,street=Datum-9,ST=NY,L=Datum-7,C=US,serialNumber=Datum-5,SN=Datum-4,CN=Datum-3"
        ));
        assert_eq!(
            got,
            "role=Datum-72,pseudonym=Datum-65,dmdName=Datum-54,deltaRevocationList=Datum-53,\
supportedAlgorithms=Datum-52,houseIdentifier=Datum-51,uniqueMember=Datum-50,\
distinguishedName=Datum-49,protocolInformation=Datum-48,enhancedSearchGuide=Datum-47,\
dnQualifier=Datum-46,x500UniqueIdentifier=Datum-45,generationQualifier=Datum-44,\
initials=Datum-43,GN=Datum-42,name=Datum-41,crossCertificatePair=Datum-40,\
certificateRevocationList=Datum-39,authorityRevocationList=Datum-38,cACertificate=Datum-37,\
userCertificate=Datum-36,userPassword=Datum-35,seeAlso=Datum-34,roleOccupant=Datum-33,\
owner=Datum-32,member=Datum-31,supportedApplicationContext=Datum-30,\
presentationAddress=Datum-29,preferredDeliveryMethod=Datum-28,destinationIndicator=Datum-27,\
registeredAddress=Datum-26,internationaliSDNNumber=Datum-25,x121Address=Datum-24,\
facsimileTelephoneNumber=Datum-23,teletexTerminalIdentifier=Datum-22,telexNumber=Datum-21,\
telephoneNumber=Datum-20,physicalDeliveryOfficeName=Datum-19,postOfficeBox=Datum-18,\
postalCode=Datum-17,postalAddress=Datum-16,businessCategory=Datum-15,searchGuide=Datum-14,\
description=Datum-13,title=Datum-12,OU=Datum-11,O=Datum-10,street=Datum-9,ST=NY,L=Datum-7,\
C=US,serialNumber=Datum-5,SN=Datum-4,CN=Datum-3"
        );
    }
}
