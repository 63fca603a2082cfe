"""The commune's disclosure register (Law 10/2022/QH15, Art. 11–14): kinds and ways as deployment
data (config), disclosures with their versions, documents, ways, reach, relays and take-downs
(models), the state changes (services), who may do what (permissions), reads (queries), files
(files) and the yearly compliance table (compliance)."""
