package voice

import "strings"

// commonWords are frequent English and French words (folded), for splitting hashtags into
// words. The list favours what hashtags are made of: marketing, events, days, places, feelings.
// A tag whose words are not all here is left alone rather than split wrongly; a brand adds its
// own words through its terms and known hashtags.
var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(commonWordList) {
		m[w] = true
	}
	for _, ws := range stopWords {
		for _, w := range ws {
			if len(w) > 1 && !strings.Contains(w, "'") {
				m[w] = true
			}
		}
	}
	return m
}()

const commonWordList = `
about above action after again age agency ahead air all alone always amazing and announcement
annual answer app apple april art artist ask august autumn award away baby back bad bag bank
be beach beautiful beauty because bed before begin behind being best better big bike bird
birthday black blog blue body book boost boss box boy brain brand break breakfast bright bring
brother build business busy buy call camp campaign can car card care career case cat change
chat check chef child city class clean climate close cloud club coffee cold come community
company content contest cook cool cost country create creative creator culture customer cut
daily dance data date day deal december design dev digital dinner do dog done down dream
drink drive early earth easy eat eco edit education email end energy enjoy event every
experience expert eye face fact fall family fan fashion fast father feature february feel
festival film find fire first fit fitness fix flash flow food for free fresh friday friend fun
future game garden get gift girl give global go goal gold good great green grow growth guide
hair happy hard have health healthy heart hello help here hero high hire history hold holiday
home hope hot hour house how idea in info inside inspiration insta job join journey july june
just keep kid kind kitchen know lab last late launch learn less life light like line link
list live local long look love low lunch made make man manager march market marketing may
media meet meeting member men mind monday money month more morning mother motivation move
movie music my nature need network new news next nice night no now of off offer office old
on one online open or order our out outdoor paris party pay people perfect pet photo pick
pink plan planet play please plus podcast point post power press price pride product project
promo proud quality quick quote rain read ready real recipe red release report rest review
ride right rise road rock room rule run safe sale save say school science sea season second
see sell september share shop short show sign simple size skill sky sleep small smart smile
social software solution spring sport staff star start stay step stop store story strategy
street strong student style success summer sun sunday super support sustainable sweet swim
talk task tea team tech technology thanks the think this thursday time tip tips today
together tool top tour town travel tree trend trip true trust try tuesday tutorial update
up video view vote walk want watch water way we web website wednesday week weekend welcome
well what when where white why win winter woman women word work workout world write year yes
you young your zero

accueil actu actualite afterwork agence aide aime aimer ami amis amour annee anniversaire
annonce apero apprendre apres art artiste association atelier aujourdhui automne avenir
avril beau beaute belle bien bienvenue bio bleu boire bon bonheur bonjour bonne bonsoir
boutique bureau cadeau cafe campagne carriere ce chaque chef chez ciel cinema client clients
climat club coeur collection commande communaute concours conseil conseils contenu cuisine
culture decembre decouverte decouvrir defi dejeuner demain design dimanche diner droit eau
ecole ecologie emploi en energie enfant enfants ensemble entreprise equipe ete etudiant
evenement expert famille fete fevrier fier fin fleur formation fort fou francais france
gagner gamme gratuit grand groupe guide histoire hiver homme idee idees info innovation
janvier jardin jeu jeudi jeune jour journee juillet juin la le lancement les lire livre local
lundi mai main maison mardi marche marque mars matin mer merci mercredi metier mieux mode
monde mot musique nature noel nos notre nous nouveau nouveaux nouvelle nouvelles novembre
octobre offre paris partage partager partenaire partenariat passion petit photo plage
plaisir planete pour printemps prix produit produits projet promo qualite recette recrutement
rentree reseau reseaux resto sociaux social mere meres pere peres reussite rose rouge sain salon samedi sante semaine septembre
service soir soiree soldes solution sport succes sur talent tech temps tendance terre
toujours tous travail vacances vendredi vente vert vie ville vin vivre voyage week
`
